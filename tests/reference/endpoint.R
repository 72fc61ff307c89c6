# Reference values for `trialstat endpoint`: arms compared on the values at one visit, as R
# computes them (tests/golden_change.rs).
#
# Run from the repository root:  Rscript tests/reference/endpoint.R
# Writes tests/reference/endpoint.json (numbers with 17 significant digits).
#
# Per case: the values of each arm (subjects with a value; quantile type 7 summaries), and each
# treatment vs the control:
#   welch, pooled  t.test(x, y) and t.test(x, y, var.equal = TRUE): estimate, CI, t, df, p;
#   hedges_g       effectsize::hedges_g(x, y) (0.8.3) with the tightly solved noncentral-t limits;
#   mann_whitney   wilcox.test(x, y, conf.int = TRUE) (R's defaults), with tol.root = 1e-12;
#   mann_whitney_uncorrected  the same with exact = FALSE, correct = FALSE, tol.root = 1e-12.
# Cases:
#   headache   acupuncture headache trial (Vickers et al., BMJ 2004), pk5 (12 months), 1 vs 0;
#   cdisc_adas CDISC pilot 01 ADAS-Cog(11) at Week 24 (EFFFL = Y, ANL01FL = Y), each dose vs placebo.
suppressPackageStartupMessages({
  library(jsonlite)
  library(effectsize)
})
source(file.path("tests", "reference", "lib", "common.R"))
source(file.path("tests", "reference", "lib", "compare.R"))

read_data <- function(file) read.csv(file, na.strings = c("", "NA", "."), check.names = FALSE,
                                     stringsAsFactors = FALSE)

compare_arms <- function(name, values, control, treatments) {
  arms <- c(treatments, control)
  list(name = name,
       arms = lapply(setNames(arms, arms), function(a) summ(values[[a]])),
       comparisons = lapply(treatments, function(a) {
         x <- values[[a]]; y <- values[[control]]
         w <- t.test(x, y); p <- t.test(x, y, var.equal = TRUE)
         list(treatment = a, control = control,
              welch = t_entry(w, unname(w$estimate[1] - w$estimate[2])),
              pooled = t_entry(p, unname(p$estimate[1] - p$estimate[2])),
              hedges_g = hedges_entry(paste("hedges_g", name, a), x, y),
              mann_whitney = wilcox_entry(paste("rank sum", name, a), x, y),
              mann_whitney_uncorrected = {
                u <- suppressWarnings(wilcox.test(x, y, conf.int = TRUE, correct = FALSE, exact = FALSE, tol.root = 1e-12))
                list(statistic = json_num(unname(u$statistic)), p_value = json_num(u$p.value),
                     tight = list(estimate = json_num(unname(u$estimate)), lower = json_num(u$conf.int[1]),
                                  upper = json_num(u$conf.int[2])))
              })
       }))
}

h <- read_data(file.path("datasets", "acupuncture_headache", "acupuncture_headache.csv"))
h <- h[!is.na(h$pk5), ]
headache <- compare_arms("headache", split(h$pk5, as.character(h$group)), "0", "1")

a <- read_data(file.path("datasets", "cdisc_pilot01", "adqsadas_actot.csv"))
a <- a[a$EFFFL %in% "Y" & a$ANL01FL %in% "Y" & a$AVISIT %in% "Week 24" & a$PARAMCD %in% "ACTOT" & !is.na(a$AVAL), ]
stopifnot(!anyDuplicated(a$USUBJID))
adas <- compare_arms("cdisc_adas", split(a$AVAL, a$TRTP), "Placebo",
                     c("Xanomeline Low Dose", "Xanomeline High Dose"))

out <- list(generated_by = "tests/reference/endpoint.R",
            versions = paste0("R ", getRversion(), ", effectsize ", packageVersion("effectsize")),
            cases = list(headache, adas))
writeLines(toJSON(out, auto_unbox = TRUE, pretty = TRUE, json_verbatim = TRUE, null = "null", digits = NA),
           file.path("tests", "reference", "endpoint.json"))
cat("wrote tests/reference/endpoint.json\n")
