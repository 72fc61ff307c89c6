# Reference values for the log-rank / G-rho (Fleming-Harrington rho) tests: R's survival package
# (Debian r-cran-survival 3.5) survdiff.
#
# Run from the repository root:  Rscript tests/reference/logrank.R
# Writes tests/reference/logrank.json. Every number is written with 17 significant digits (jnum
# from lib/common.R), so inputs round-trip exactly and outputs can be compared at ~1e-12.
#
# ---- Calls -------------------------------------------------------------------------------------
#   survdiff(Surv(time, event) ~ group, rho = RHO)                      (unstratified)
#   survdiff(Surv(time, event) ~ group + strata(strata), rho = RHO)     (stratified)
# with R's defaults otherwise (timefix = TRUE; all times here are integers, so it never acts).
#
# ---- R's definitions (survival:::survdiff.fit -> C routine survdiff2) --------------------------
# Within each stratum, at each distinct event time t (all groups pooled):
#   w(t)   = S(t-)^rho, S = the Kaplan-Meier curve of the POOLED sample of that stratum (all
#            groups together), LEFT-continuous: S(t-) = the KM value just before t (the product
#            over event times strictly before t), so w = 1 at the first event time.
#            rho = 0: w = 1 (plain log-rank).
#   obs[k] += w(t) * d_k(t)                     (obs is WEIGHTED when rho != 0)
#   exp[k] += w(t) * d(t) * n_k(t) / n(t)       (exp is WEIGHTED when rho != 0)
#   var[j,k] += w(t)^2 * d (n - d) / (n - 1) * (n_j/n) * (delta_jk - n_k/n)   (skipped if n = 1)
# n(t), n_k(t) = numbers at risk (time >= t), d, d_k = events at t. For a stratified fit obs and
# exp are (groups x strata) matrices; var is already summed over strata. survdiff's chisq:
#   o = rowSums(obs), e = rowSums(exp); drop groups with e = 0; drop the FIRST remaining group;
#   chisq = (o - e)' solve(V) (o - e) on the rest; df = (number of groups with e > 0) - 1.
#
# ---- logrank.json ------------------------------------------------------------------------------
# { "meta": {generated_by, r_version, survival, jsonlite, note},
#   "cases": [ { "name", "description",
#                "time", "event", "group", "strata",   inputs, one entry per subject, file row
#                                                       order; event 0/1; group and strata string
#                                                       labels; strata null when unstratified
#                "results": [ { "rho", "groups" (labels, R's factor order = sort()),
#                               "n", "obs", "exp" (per group, summed over strata),
#                               "var" (list of rows), "chisq", "df", "p" } ] } ] }
#   p = pchisq(chisq, df, lower.tail = FALSE) (= survdiff's $pvalue).

suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
source(file.path("tests", "reference", "lib", "common.R"))   # jnum, pkg_version

# JSON: to_json, arr and sarr of lib/common.R.

one_fit <- function(time, event, group, strata, rho) {
  if (is.null(strata)) {
    fit <- survdiff(Surv(time, event) ~ group, rho = rho)
  } else {
    fit <- survdiff(Surv(time, event) ~ group + strata(strata), rho = rho)
  }
  labels <- levels(factor(group))
  stopifnot(identical(names(fit$n), paste0("group=", labels)))
  obs <- if (is.matrix(fit$obs)) rowSums(fit$obs) else fit$obs
  ex <- if (is.matrix(fit$exp)) rowSums(fit$exp) else fit$exp
  df <- length(labels) - 1
  stopifnot(all(ex > 0))
  p <- pchisq(fit$chisq, df, lower.tail = FALSE)
  stopifnot(isTRUE(all.equal(p, fit$pvalue)))
  list(rho = rho, groups = sarr(labels), n = arr(as.vector(fit$n)),
       obs = arr(obs), exp = arr(ex),
       var = lapply(seq_len(nrow(fit$var)), function(i) arr(fit$var[i, ])),
       chisq = fit$chisq, df = df, p = p)
}

cases <- list()
add_case <- function(name, description, time, event, group, strata, rhos) {
  stopifnot(length(time) == length(event), length(time) == length(group),
            is.null(strata) || length(strata) == length(time),
            all(event %in% c(0, 1)), !anyNA(time), !anyNA(group))
  results <- lapply(rhos, function(r) one_fit(time, event, group, strata, r))
  for (r in results)
    cat(sprintf("%-22s rho=%g groups=%s n=%s obs=%s exp=%s chisq=%.6g df=%d p=%.6g\n", name,
                r$rho, paste(unclass(r$groups), collapse = "/"),
                paste(unclass(r$n), collapse = "/"),
                paste(sprintf("%.4f", unclass(r$obs)), collapse = "/"),
                paste(sprintf("%.4f", unclass(r$exp)), collapse = "/"), r$chisq, r$df, r$p))
  cases[[length(cases) + 1]] <<- list(
    name = name, description = description,
    time = arr(time), event = arr(event), group = sarr(group),
    strata = if (is.null(strata)) NULL else sarr(strata),
    results = results)
}

# ---- 1-2. PBC (Mayo), randomised subjects, death = event, transplant censored -------------------
pbc <- read.csv(file.path("datasets", "pbc_mayo", "pbc.csv"))
pbc <- pbc[!is.na(pbc$trt), ]
stopifnot(nrow(pbc) == 312, !anyNA(pbc$edema))
add_case("pbc_trt",
  paste("datasets/pbc_mayo/pbc.csv, the 312 randomised subjects (trt not NA), time = days,",
        "event = status == 2 (death); group = trt as string (\"1\", \"2\"), rows in file order"),
  pbc$time, as.numeric(pbc$status == 2), as.character(pbc$trt), NULL, c(0, 1))
add_case("pbc_trt_strata_edema",
  paste("as pbc_trt, stratified by edema as a string (\"0\", \"0.5\", \"1\"):",
        "survdiff(Surv(time, event) ~ group + strata(strata)); obs/exp summed over strata"),
  pbc$time, as.numeric(pbc$status == 2), as.character(pbc$trt), as.character(pbc$edema), 0)

# ---- 3. CDISC pilot ADTTE (time to first dermatologic event), three arms ------------------------
adtte <- read.csv(file.path("datasets", "cdisc_pilot01", "adtte.csv"))
stopifnot(all(adtte$CNSR %in% c(0, 1)))
add_case("cdisc_adtte_trtp",
  paste("datasets/cdisc_pilot01/adtte.csv (PARAMCD TTDE), time = AVAL (days),",
        "event = 1 - CNSR, group = TRTP (three arms), rows in file order"),
  adtte$AVAL, 1 - adtte$CNSR, adtte$TRTP, NULL, c(0, 1))

# ---- 4. synthetic: tied times across groups -----------------------------------------------------
add_case("ties_two_groups",
  "tied event times across groups and a censoring tied with an event (t = 2)",
  c(1, 1, 2, 2, 3, 3, 4, 5, 5, 6, 7, 8), c(1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1),
  rep(c("A", "B"), 6), NULL, 0)

meta <- list(
  generated_by = "tests/reference/logrank.R",
  r_version = R.version.string,
  survival = pkg_version("survival"),
  jsonlite = pkg_version("jsonlite"),
  note = paste("survdiff(Surv(time, event) ~ group [+ strata(strata)], rho); obs/exp are",
               "weighted by S(t-)^rho (pooled left-continuous KM within stratum) and summed",
               "over strata; var is survdiff's $var (rows); p = pchisq(chisq, df, lower = FALSE).")
)
writeLines(to_json(list(meta = meta, cases = cases)), file.path("tests", "reference", "logrank.json"))
