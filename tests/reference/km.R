# Reference values for src/stats/survival.rs: Kaplan-Meier curves, Greenwood standard errors,
# pointwise CIs, quantiles (median survival) with CIs and landmark summaries, as R's survival
# package (Debian r-cran-survival 3.5) computes them.
#
# Run from the repository root:  Rscript tests/reference/km.R
# Writes tests/reference/km.json. Every number is written with 17 significant digits (jnum from
# lib/common.R), so inputs round-trip exactly and outputs can be compared at ~1e-12. R's NA / NaN
# is written as null, +Inf as the string "Infinity" (survfit's std.err where S reaches 0).
# tests/reference/km.py (lifelines, second source) reads the inputs from km.json.
#
# ---- Calls -------------------------------------------------------------------------------------
# For every case and every group of the case (rows of that group only, one stratum):
#   fit_CT <- survfit(Surv(time, event) ~ 1, conf.type = CT, conf.int = 0.95)
#             for CT in "log" (R's default), "log-log", "plain"; otherwise R's defaults
#             (stype = 1 Kaplan-Meier, ctype = 1, timefix = TRUE; times here are integers, so
#             timefix's merging of nearly equal times never acts).
#   quantile(fit_CT, probs = c(0.25, 0.5, 0.75), conf.int = TRUE)   (tolerance = sqrt(eps))
#   summary(fit_CT, times = landmarks)   for CT in "log", "log-log".
#
# ---- km.json -----------------------------------------------------------------------------------
# { "meta": {generated_by, r_version, survival, jsonlite, conf_int, probs, note},
#   "cases": [ { "name", "description",
#                "groups": [ { "label", "n", "n_events",
#                              "time", "event",            the inputs, one entry per subject, in
#                                                          the data's row order; event 1 = event,
#                                                          0 = censored
#                              "curve":     { ... },
#                              "quantiles": { ... },
#                              "summary":   { ... } } ] } ] }
#   curve: the survfit object, one entry per distinct time (event or censoring):
#     time      survfit's $time: every distinct observed time, INCLUDING censor-only times (where
#               n_event = 0 and surv does not change). No time-0 row is added.
#     n_risk    $n.risk: subjects with time >= t
#     n_event   $n.event: events at t
#     n_censor  $n.censor: censorings at t (an event and a censoring at the same t: the censored
#               subject is in n_risk at t, i.e. events come first)
#     surv      $surv: KM estimate S(t)
#     std_err   $std.err: Greenwood SE of -log S (= of the cumulative hazard), i.e.
#               sqrt(sum d/(n(n-d))); "Infinity" once S = 0 (d = n); 0 before the first event
#     ci        { "log": {lower, upper}, "log-log": {lower, upper}, "plain": {lower, upper} }:
#               $lower/$upper of fit_CT (z = qnorm(0.975)); null where R gives NA/NaN:
#               log: NA where S = 0 (upper capped at 1); log-log: NA where S = 0 or S = 1 (no
#               cap needed); plain: S -+ z*S*std_err clipped to [0, 1], NaN (-> null) where S = 0.
#   quantiles: { "probs": [0.25, 0.5, 0.75],
#                "log" | "log-log" | "plain": {quantile, lower, upper} }
#     quantile  time at which the curve reaches 1 - probs (identical for the three CTs)
#     lower, upper  the CI of that quantile from fit_CT's confidence curves; null = NA = "not
#               reached" (see the rule below).
#   summary:   { "times": landmark times,
#                "log" | "log-log": {time, n_risk, surv, std_err, lower, upper} }
#     from summary(fit_CT, times = times): surv = S at the last curve time <= t; std_err is on the
#     S scale here (= S * curve std_err; NaN -> null where S = 0); lower/upper as in the curve.
#     Quirk: for a landmark before the first curve time summary reports surv 1, std_err 0 and
#     lower = upper = 1 for every CT (even log-log, whose curve has no limit where S = 1).
#
# ---- The quantile rule (survival:::quantile.survfit -> doquant -> findq, survival 3.5-3) -------
# doquant(p, time, surv, upper, lower, firstx = 0, scale = 1, tol = sqrt(.Machine$double.eps)):
#     qq <- findq(c(firstx, time), c(0, 1 - surv), p, tol)
#     rbind(qq, findq(c(firstx, time), c(0, 1 - lower), p, tol),
#               findq(c(firstx, time), c(0, 1 - upper), p, tol))
# and quantile.survfit returns list(quantile = row 1, lower = row 2, upper = row 3).
# findq(x, y, p, tol):
#     if (max(y, na.rm = T) < min(p)) return(rep(NA, length(p)))
#     xmax <- x[length(x)]
#     dups <- duplicated(y); if (any(dups)) { x <- x[!dups]; y <- y[!dups] }
#     n <- length(y)
#     indx1 <- approx(y + tol, 1:n, p, method = "constant", f = 1)$y
#     indx2 <- approx(y - tol, 1:n, p, method = "constant", f = 1)$y
#     quant <- (x[indx1] + x[indx2]) / 2
#     quant[p == 0] <- x[1]
#     if (!is.na(y[n])) { lastpt <- (abs(p - y[n]) < tol)
#         if (any(lastpt)) quant[lastpt] <- (x[indx1[lastpt]] + xmax) / 2 }
# In words. Work with the cumulative distribution F = 1 - S as a step function: the points
# (0, 0), (t_1, F_1), ..., (t_m, F_m), t_i = the curve's times (censor-only times included).
#  1. tol = sqrt(.Machine$double.eps) = 1.4901161193847656e-08.
#  2. If even the largest F (NAs ignored) is below the smallest requested p, every quantile is NA.
#  3. xmax = t_m, the LAST curve time (which may be a censor-only time), taken before step 4.
#  4. Points whose F value repeats an earlier one (exact equality) are dropped, keeping the first:
#     each distinct F value keeps the first time the curve took it. Censor-only times therefore
#     never matter except through xmax. NA values count as one value (only the first NA is kept).
#  5. approx(method = "constant", f = 1) (rule = 1, na.rm = TRUE: points with NA F are skipped)
#     gives i1 = the first point with F_i + tol >= p and i2 = the first point with F_i - tol >= p;
#     NA when there is no such point. quantile = (t[i1] + t[i2]) / 2:
#       - F jumps past p (no F within tol of p): i1 = i2 = the first time S(t) < 1 - p; the
#         quantile is that time (the usual "first t with S(t) <= 1 - p").
#       - F equals p within tol on a flat stretch (S = 1 - p exactly, e.g. S = 0.5 after 3 of 6
#         events): t[i1] = the time S first took that value, t[i2] = the next time S drops; the
#         quantile is their midpoint. (time = 1:6, all events: median 3.5.)
#       - F never gets to p - tol: i1 = i2 = NA, quantile NA ("not reached").
#  6. p == 0 gives t[1] = 0 (never used here).
#  7. Last-stretch rule: if the last kept F value is not NA and |p - F_last| < tol (the curve ends
#     on a flat stretch at S = 1 - p, so i2 is NA), the quantile is (t[i1] + xmax) / 2: the
#     midpoint of the time S reached 1 - p and the last curve time. (time = 1:4, event =
#     c(1,1,0,0): median (2 + 4) / 2 = 3.) If instead the last kept value is NA (a confidence curve
#     without a limit at its end, e.g. the log CI where S = 0) the rule is skipped and such a p
#     gives NA. Because of step 4 a trailing NA is dropped when an earlier NA exists (log-log: NA
#     where S = 1 at the start and where S = 0 at the end), so there the rule does look at the last
#     finite value.
# CI of a quantile: the same findq applied to F_lower = 1 - lower (the LOWER pointwise confidence
# curve of S, which drops first) gives the quantile's LOWER limit, and to F_upper = 1 - upper
# (the UPPER confidence curve) its UPPER limit; both with the same tol, midpoint and last-stretch
# rules, NA points skipped, and NA = "not reached" (typically the upper limit when the upper
# confidence curve never falls to 1 - p). The curve's S = 1 stretch of the log/plain upper curve
# (upper capped at 1, F_upper = 0) merges with the (0, 0) start point in step 4.

suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
source(file.path("tests", "reference", "lib", "common.R"))   # jnum, pkg_version

# JSON: to_json, arr and sarr of lib/common.R.

PROBS <- c(0.25, 0.5, 0.75)
CTS <- c("log", "log-log", "plain")
SUMMARY_CTS <- c("log", "log-log")
LEVEL <- 0.95

group_ref <- function(label, time, event, landmarks) {
  stopifnot(length(time) == length(event), all(event %in% c(0, 1)), !anyNA(time))
  fits <- setNames(lapply(CTS, function(ct)
    survfit(Surv(time, event) ~ 1, conf.type = ct, conf.int = LEVEL)), CTS)
  f <- fits[["log"]]
  for (ct in CTS[-1]) {   # the curve itself does not depend on conf.type
    g <- fits[[ct]]
    stopifnot(identical(g$time, f$time), identical(g$surv, f$surv), identical(g$std.err, f$std.err))
  }
  curve <- list(
    time = arr(f$time), n_risk = arr(f$n.risk), n_event = arr(f$n.event),
    n_censor = arr(f$n.censor), surv = arr(f$surv), std_err = arr(f$std.err),
    ci = setNames(lapply(CTS, function(ct) list(lower = arr(fits[[ct]]$lower),
                                                upper = arr(fits[[ct]]$upper))), CTS))
  quants <- c(list(probs = arr(PROBS)), setNames(lapply(CTS, function(ct) {
    q <- quantile(fits[[ct]], probs = PROBS, conf.int = TRUE)
    list(quantile = arr(q$quantile), lower = arr(q$lower), upper = arr(q$upper))
  }), CTS))
  summ <- c(list(times = arr(landmarks)), setNames(lapply(SUMMARY_CTS, function(ct) {
    s <- summary(fits[[ct]], times = landmarks)
    stopifnot(length(s$time) == length(landmarks))   # every landmark inside the follow-up
    list(time = arr(s$time), n_risk = arr(s$n.risk), surv = arr(s$surv),
         std_err = arr(s$std.err), lower = arr(s$lower), upper = arr(s$upper))
  }), SUMMARY_CTS))
  list(label = label, n = length(time), n_events = sum(event),
       time = arr(time), event = arr(event),
       curve = curve, quantiles = quants, summary = summ)
}

cases <- list()
add_case <- function(name, description, groups) {
  cases[[length(cases) + 1]] <<- list(name = name, description = description, groups = groups)
}
one_group <- function(name, description, time, event, landmarks) {
  add_case(name, description, list(group_ref(name, time, event, landmarks)))
}

# ---- a. PBC (Mayo), randomised subjects, death = event, transplant censored --------------------
pbc <- read.csv(file.path("datasets", "pbc_mayo", "pbc.csv"))
pbc <- pbc[!is.na(pbc$trt), ]
stopifnot(nrow(pbc) == 312)
add_case("pbc_trt",
  paste("datasets/pbc_mayo/pbc.csv, the 312 randomised subjects (trt not NA), time = days,",
        "event = status == 2 (death; transplant = 1 and 0 censored); groups trt = 1",
        "(D-penicillamine) and trt = 2 (placebo), rows in file order"),
  lapply(c(1, 2), function(arm) {
    d <- pbc[pbc$trt == arm, ]
    group_ref(as.character(arm), d$time, as.numeric(d$status == 2), c(1000, 2000, 3000))
  }))

# ---- b. CDISC pilot ADTTE (time to first dermatologic event) -----------------------------------
adtte <- read.csv(file.path("datasets", "cdisc_pilot01", "adtte.csv"))
stopifnot(all(adtte$CNSR %in% c(0, 1)))
add_case("cdisc_adtte_trtp",
  paste("datasets/cdisc_pilot01/adtte.csv (PARAMCD TTDE), time = AVAL (days),",
        "event = 1 - CNSR; groups TRTP in sorted order, rows in file order"),
  lapply(sort(unique(adtte$TRTP)), function(arm) {
    d <- adtte[adtte$TRTP == arm, ]
    group_ref(arm, d$AVAL, 1 - d$CNSR, c(30, 90, 180))
  }))

# ---- c. synthetic edge cases, one group each ---------------------------------------------------
one_group("ties",
  "tied event times and censorings at event times (events counted before the censorings)",
  c(1, 2, 2, 2, 3, 3, 4, 5, 5, 6), c(1, 1, 1, 0, 1, 0, 0, 1, 0, 1), c(2, 4.5, 5))
one_group("all_censored", "no events: S = 1 throughout, every quantile NA",
  c(3, 5, 5, 8, 10), c(0, 0, 0, 0, 0), c(4, 8, 10))
one_group("event_at_time_zero",
  "events (and a censoring) at time 0: the curve's first time is 0 with S < 1",
  c(0, 0, 0, 1, 2, 3, 5, 6), c(1, 1, 0, 1, 0, 1, 1, 0), c(0, 2, 5.5))
one_group("single_event", "one subject, an event: S drops from 1 to 0 at t = 5",
  5, 1, 5)
one_group("median_not_reached",
  "two events among ten subjects, censoring first: S stays above 0.5",
  c(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), c(0, 1, 0, 0, 1, 0, 0, 0, 0, 0), c(1, 3, 9.5))
one_group("flat_at_half",
  "time = 1:6, all events: S = 0.5 exactly on [3, 4): R's median is the midpoint 3.5",
  1:6, rep(1, 6), c(2.5, 3, 4))
one_group("flat_at_quartiles",
  "time = 1:4, all events: S = 0.75, 0.5, 0.25, 0: every quartile on a flat stretch (midpoints)",
  1:4, rep(1, 4), c(1, 2.5, 3))
one_group("flat_at_half_censored_end",
  "S = 0.5 on the last stretch (then only censorings): last-stretch rule, median (2 + 4) / 2",
  c(1, 2, 3, 4), c(1, 1, 0, 0), c(1.5, 2, 3.5))
one_group("flat_at_half_with_censoring",
  "S = 0.5 reached at t = 3, censorings at 4 and 5 inside the flat stretch, next event at 6: median 4.5",
  c(1, 2, 2, 3, 4, 5, 6, 7), c(1, 1, 1, 1, 0, 0, 1, 0), c(2, 5, 6))
one_group("last_is_event",
  "the last observation is an event: S reaches 0 (std.err Inf, CIs NA there)",
  c(2, 3, 3, 5, 7, 8), c(1, 0, 1, 1, 0, 1), c(1, 4, 8))

meta <- list(
  generated_by = "tests/reference/km.R",
  r_version = R.version.string,
  survival = pkg_version("survival"),
  jsonlite = pkg_version("jsonlite"),
  conf_int = LEVEL,
  probs = arr(PROBS),
  quantile_tolerance = sqrt(.Machine$double.eps),
  note = paste("survfit(Surv(time, event) ~ 1, conf.type = CT, conf.int = 0.95) per group;",
               "quantile(fit, probs, conf.int = TRUE); summary(fit, times) for log and log-log.",
               "null = NA/NaN (not reached / no limit); \"Infinity\" = Inf.")
)
writeLines(to_json(list(meta = meta, cases = cases)), file.path("tests", "reference", "km.json"))
