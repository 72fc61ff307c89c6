# Reference values for src/stats/stratified.rs (Mantel–Haenszel RR / OR / RD, the CMH test and the
# Breslow–Day / Tarone homogeneity tests on stratified 2×2 tables).
#
# Run from the repository root:  Rscript tests/reference/stratified.R
# Writes tests/reference/stratified.json. tests/reference/stratified.py then reads the data sets from
# that file and adds statsmodels' values in tests/reference/stratified_py.json.
#
# Sources (three independent implementations of the same closed forms):
#   * stats::mantelhaen.test   MH OR, its Robins–Breslow–Greenland (RBG) CI, CMH X² with/without
#                              continuity correction (R's rule: 0.5 subtracted only if |Δ| >= 0.5)
#   * metafor::rma.mh          MH OR (RBG CI, Wald p on log OR), MH RR (Greenland–Robins CI, Wald p),
#                              MH RD (Sato 1989 variance, Wald p), CMH X² (correct = TRUE/FALSE),
#                              Breslow–Day and Tarone statistics with k.pos − 1 df
#   * epiR::epi.2by2           RR.mh.wald (Greenland–Robins), OR.mh.wald (RBG), ARisk.mh.sato and
#                              ARisk.mh.green (Greenland–Robins 1985 variance of the MH RD)
#
# Cell convention everywhere: a = treated events, b = treated non-events, c = control events,
# d = control non-events. mantelhaen.test and epiR take a 2×2×K array with rows = group
# (treated first), columns = outcome (event first): x[1,1,k] = a, x[1,2,k] = b, x[2,1,k] = c,
# x[2,2,k] = d. metafor takes ai, bi, ci, di; its zero-cell correction is switched off for the MH
# step (add = c(1/2, 0), to = c("only0", "none"), drop00 = c(TRUE, FALSE) — its defaults, spelled out).
# epiR's units are set to 1 so that risk differences are on the proportion scale.

suppressPackageStartupMessages({
  library(metafor)
  library(epiR)
  library(jsonlite)
})

out_file <- file.path("tests", "reference", "stratified.json")
if (!dir.exists(dirname(out_file))) stop("run from the repository root")
source(file.path("tests", "reference", "lib", "common.R"))   # pkg_versions, write_pretty_json

## ---------------------------------------------------------------------------------------------
## Data sets
## ---------------------------------------------------------------------------------------------
data(dat.bcg, package = "metadat", envir = environment())
data(dat.hine1989, package = "metadat", envir = environment())
data(dat.egger2001, package = "metadat", envir = environment())

mk <- function(a, b, c, d, label = paste0("s", seq_along(a)), source) {
  # I() keeps one-element vectors as JSON arrays under auto_unbox.
  list(label = I(as.character(label)), a = I(as.integer(a)), b = I(as.integer(b)),
       c = I(as.integer(c)), d = I(as.integer(d)), source = source)
}

# Deterministic "larger" set: 40 strata of 20–400 subjects per group, event risks 5–40 %.
set.seed(20240611)
k_big <- 40
n1_big <- sample(20:400, k_big, replace = TRUE)
n0_big <- sample(20:400, k_big, replace = TRUE)
p0_big <- runif(k_big, 0.05, 0.40)
a_big <- rbinom(k_big, n1_big, pmin(0.95, p0_big * 0.75))
c_big <- rbinom(k_big, n0_big, p0_big)

datasets <- list(
  # Colditz et al. 1994 (JAMA 271:698), metadat::dat.bcg: BCG vaccine vs none, TB cases; 13 trials
  # used as strata. Large counts (TPT Madras: 88 391 + 88 391 subjects).
  bcg = with(dat.bcg, mk(tpos, tneg, cpos, cneg, paste(author, year),
                         "metadat 1.2-0 dat.bcg (Colditz et al. 1994)")),
  # Hine et al. 1989 via Normand 1999 (Stat Med 18:321, Table I): lidocaine vs control, deaths.
  hine1989 = with(dat.hine1989, mk(ai, n1i - ai, ci, n2i - ci, source,
                                   "metadat 1.2-0 dat.hine1989 (Normand 1999, Table I)")),
  # Egger, Davey Smith & Altman 2001 Table 18.2: IV magnesium after MI, deaths; 16 trials incl.
  # ISIS-4 (58 050 subjects) and one trial with no treated deaths (Bertschat: a = 0).
  egger2001 = with(dat.egger2001, mk(ai, n1i - ai, ci, n2i - ci, paste(study, year),
                                     "metadat 1.2-0 dat.egger2001 (Egger et al. 2001, Table 18.2)")),
  # Sparse, constructed: a = 0 (s1), one subject per group (s2), a double-zero stratum with no
  # events (s3, uninformative for RR/OR/CMH/BD but weighted in the RD), c = 0 (s5), and a stratum in
  # which everyone had the event (s6, uninformative for OR/CMH/BD).
  sparse = mk(c(0, 1, 0, 3, 2, 1), c(5, 0, 4, 2, 3, 0), c(2, 0, 0, 1, 0, 1), c(3, 1, 6, 4, 5, 0),
              source = "constructed: zero cells, 1 subject per group, double-zero and all-event strata"),
  # Only one group informative in most strata: control has no events in s1 and s4, treated none
  # in s2.
  onegroup = mk(c(3, 0, 4, 1), c(7, 8, 4, 0), c(0, 2, 1, 0), c(10, 6, 7, 1),
                source = "constructed: strata with events in one group only"),
  # A single stratum: MH estimates equal the crude ones; Breslow–Day has df 0.
  single = mk(12, 38, 5, 45, source = "constructed: one stratum"),
  # Two strata with identical risks in both groups: MH OR = RR = 1 exactly, RD = 0, CMH Δ = 0
  # (R applies no continuity correction since |Δ| < 0.5; metafor and statsmodels subtract 0.5
  # anyway) and the Breslow–Day expected cell comes from the linear (ψ = 1) case.
  balanced = mk(c(2, 1), c(3, 4), c(2, 1), c(3, 4), source = "constructed: OR = 1 in every stratum"),
  # 40 random strata (seeded above).
  large40 = mk(a_big, n1_big - a_big, c_big, n0_big - c_big,
               source = "simulated in stratified.R: set.seed(20240611), 40 strata")
)

levels <- c(0.95, 0.90, 0.99)

## ---------------------------------------------------------------------------------------------
## Helpers
## ---------------------------------------------------------------------------------------------
num <- function(x) {
  x <- as.numeric(x)
  if (length(x) == 0 || is.na(x)) NULL else x
}
arr <- function(ds) {
  k <- length(ds$a)
  x <- array(0, dim = c(2, 2, k))
  x[1, 1, ] <- ds$a; x[1, 2, ] <- ds$b; x[2, 1, ] <- ds$c; x[2, 2, ] <- ds$d
  x
}
rmh <- function(ds, measure, level, correct = TRUE) {
  suppressWarnings(rma.mh(ai = ds$a, bi = ds$b, ci = ds$c, di = ds$d, measure = measure,
                          add = c(1/2, 0), to = c("only0", "none"), drop00 = c(TRUE, FALSE),
                          correct = correct, level = 100 * level))
}
est3 <- function(df) {
  if (is.null(df)) return(NULL)
  list(est = num(df[[1]]), lower = num(df[[2]]), upper = num(df[[3]]))
}

reference_for <- function(ds, level) {
  x <- arr(ds)
  res <- list(level = level)

  ## stats::mantelhaen.test (the OR CI is the RBG interval; p is the CMH test's)
  for (corr in c(FALSE, TRUE)) {
    mt <- tryCatch(mantelhaen.test(x, correct = corr, conf.level = level), error = function(e) NULL)
    key <- if (corr) "mantelhaen_yates" else "mantelhaen"
    res[[key]] <- if (is.null(mt)) NULL else list(
      statistic = num(mt$statistic), p = num(mt$p.value), estimate = num(mt$estimate),
      lower = num(mt$conf.int[1]), upper = num(mt$conf.int[2]))
  }

  ## metafor::rma.mh
  or_c <- rmh(ds, "OR", level, correct = TRUE)
  or_u <- rmh(ds, "OR", level, correct = FALSE)
  rr <- rmh(ds, "RR", level)
  rd <- rmh(ds, "RD", level)
  res$metafor_or <- list(est = num(exp(or_c$beta)), lower = num(exp(or_c$ci.lb)),
                         upper = num(exp(or_c$ci.ub)), p = num(or_c$pval),
                         se_log = num(or_c$se),
                         cmh_yates = num(or_c$MH), cmh_yates_p = num(or_c$MHp),
                         cmh = num(or_u$MH), cmh_p = num(or_u$MHp),
                         bd = num(or_c$BD), bd_p = num(or_c$BDp),
                         tarone = num(or_c$TA), tarone_p = num(or_c$TAp),
                         k_pos = num(or_c$k.pos))
  res$metafor_rr <- list(est = num(exp(rr$beta)), lower = num(exp(rr$ci.lb)),
                         upper = num(exp(rr$ci.ub)), p = num(rr$pval), se_log = num(rr$se))
  res$metafor_rd <- list(est = num(rd$beta), lower = num(rd$ci.lb), upper = num(rd$ci.ub),
                         p = num(rd$pval), se = num(rd$se))

  ## epiR::epi.2by2 (cohort.count, outcome as columns, units = 1). A single stratum is passed as a
  ## 2×2 table, for which epiR reports no MH estimates, so only K >= 2 is run.
  if (length(ds$a) >= 2) {
    ep <- tryCatch(suppressWarnings(epi.2by2(as.table(x), method = "cohort.count", conf.level = level,
                                             units = 1, outcome = "as.columns")),
                   error = function(e) NULL)
    if (!is.null(ep)) {
      md <- ep$massoc.detail
      res$epir <- list(rr_mh = est3(md$RR.mh.wald), or_mh = est3(md$OR.mh.wald),
                       rd_sato = est3(md$ARisk.mh.sato), rd_gr = est3(md$ARisk.mh.green))
    }
  }
  res
}

results <- lapply(datasets, function(ds) lapply(levels, function(l) reference_for(ds, l)))

out <- list(
  generated_by = "tests/reference/stratified.R",
  versions = pkg_versions(c("metafor", "epiR", "metadat", "jsonlite"), r = r_short_version()),
  datasets = datasets,
  results = results
)
write_pretty_json(out, out_file, digits = NA, null = "null", na = "null")
