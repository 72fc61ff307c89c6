# Reference for `trialstat responders --strata site` on the indomethacin trial
# (tests/golden_responders.rs): R's mantelhaen.test on the site x arm x outcome table built
# here from the CSV itself (independently of trialstat's reading).
# Run from the repository root: Rscript tests/reference/responders_strata.R
source(file.path("tests", "reference", "lib", "common.R"))
d <- read.csv("datasets/indo_rct/indo_rct.csv", stringsAsFactors = FALSE)
sites <- sort(unique(d$site))
cell <- function(s, arm, out) sum(d$site == s & d$rx == arm & d$outcome == out)
# x[, , k]: rows = (indomethacin, placebo), columns = (event, no event).
x <- array(unlist(lapply(sites, function(s) c(
  cell(s, "1_indomethacin", "1_yes"), cell(s, "0_placebo", "1_yes"),
  cell(s, "1_indomethacin", "0_no"), cell(s, "0_placebo", "0_no")))), dim = c(2, 2, length(sites)))
res <- list()
for (corr in c(FALSE, TRUE)) {
  m <- mantelhaen.test(x, correct = corr)
  res[[if (corr) "yates" else "uncorrected"]] <- json_obj(list(
    estimate = jnum(m$estimate), lower = jnum(m$conf.int[1]), upper = jnum(m$conf.int[2]),
    statistic = jnum(m$statistic), p_value = jnum(m$p.value)))
}
out <- paste0("{\n",
  '"generated_by": "tests/reference/responders_strata.R",\n',
  '"r_version": "', r_short_version(), '",\n',
  '"sites": [', paste0('"', sites, '"', collapse = ", "), "],\n",
  '"mantelhaen_uncorrected": ', res$uncorrected, ",\n",
  '"mantelhaen_yates": ', res$yates, "\n}\n")
writeLines(out, "tests/reference/responders_strata.json", sep = "")
