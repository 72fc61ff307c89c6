# Reference values for two-arm contrasts of the restricted mean survival time (RMST): difference,
# ratio and ratio of the restricted mean time lost (RMTL = tau - RMST), computed as survRM2::rmst2
# (unadjusted analysis, no covariates) computes them, from R's survival package (Debian
# r-cran-survival 3.5) survfit + summary(..., rmean = tau). survRM2 itself is not packaged by
# Debian, so it is not called here; its formulas are re-stated below and applied to survfit's
# per-arm numbers.
#
# Run from the repository root:  Rscript tests/reference/rmst_diff.R
# Writes tests/reference/rmst_diff.json. Every number is written with 17 significant digits (jnum
# from lib/common.R), so inputs round-trip exactly and outputs can be compared at ~1e-12.
#
# ---- Source of the method ----------------------------------------------------------------------
# Uno H, Claggett B, Tian L, et al. Moving beyond the hazard ratio in quantifying the between-group
# difference in survival analysis. J Clin Oncol 2014;32:2380-2385 (doi:10.1200/JCO.2014.55.2208),
# as implemented in survRM2 1.0-4 (CRAN, 2022-06-14; Uno, Tian, Horiguchi, Cronin, Battioui,
# Bell), R/rmst2.R (function rmst2) and R/rmst1.R (hidden per-arm function rmst1), read from the
# CRAN mirror github.com/cran/survRM2 at commit 044089f ("version 1.0-4").
#
# ---- Per arm (survRM2 rmst1 == survfit's rmean / se(rmean)) ------------------------------------
#   fit <- survfit(Surv(time, event) ~ 1)     on the arm's subjects (R defaults, timefix = TRUE)
#   tab <- summary(fit, rmean = tau)$table;  rmst = tab[["rmean"]], se = tab[["se(rmean)"]]
# With t_1 < ... < t_m the distinct observed times <= tau, n_j at risk, d_j events, S the KM:
#   rmst = sum_{j=0..m} S(t_j) (t_{j+1} - t_j),  t_0 = 0, S(t_0) = 1, t_{m+1} = tau
#   var  = sum_{j=1..m} A_j^2 d_j / (n_j (n_j - d_j)),  A_j = integral_{t_j}^tau S(u) du
#          (terms with n_j = d_j are 0).
# survRM2's rmst1 computes exactly this: ft <- survfit(Surv(time, status) ~ 1); it keeps
# ft$time <= tau, areas = diff(c(0, sort(c(times, tau)))) * c(1, surv), rmst = sum(areas),
# wk.var = ifelse(n.risk - n.event == 0, 0, n.event / (n.risk * (n.risk - n.event))),
# rmst.var = sum(cumsum(rev(areas[-1]))^2 * rev(c(wk.var, 0))[-1]). That is survfit's
# survmean() formula term by term (the Greenwood plug-in), WITHOUT any n/(n-1) factor, so
# survRM2's rmst.var == survfit's se(rmean)^2 (see tests/reference/rmst.R for survmean's code).
# This script re-checks it numerically (rmst1_by_hand below, at 1e-12) and, when the survRM2
# package happens to be installed, also against survRM2::rmst2 itself (not needed to run).
# (When this file was written survRM2 1.0-4 was built from the CRAN sources into a scratch
# library and every comparison below matched rmst2's output to <= 1e-14 relative.)
#
# ---- Contrasts (survRM2 rmst2, "unadjusted.result"); arm 1 = treatment, arm 0 = control -------
#   z = qnorm(1 - alpha/2), alpha = 1 - level
#   difference  D = rmst1 - rmst0,  se_D = sqrt(se1^2 + se0^2)
#               CI = D -+ z se_D,   p = 2 pnorm(-|D| / se_D)
#   ratio       L = log(rmst1) - log(rmst0),  se_L = sqrt(se1^2/rmst1^2 + se0^2/rmst0^2)
#               estimate exp(L), CI = exp(L -+ z se_L),  p = 2 pnorm(-|L| / se_L)
#   RMTL ratio  rmtl_k = tau - rmst_k (its se = se_k, the same variance);
#               M = log(rmtl1) - log(rmtl0), se_M = sqrt(se1^2/rmtl1^2 + se0^2/rmtl0^2)
#               estimate exp(M), CI = exp(M -+ z se_M),  p = 2 pnorm(-|M| / se_M)
#               (rmst2 reports it as "RMTL (arm=1)/(arm=0)"; written as null here if an
#               rmtl_k is 0, i.e. no event before tau in that arm; none of the cases below.)
#
# ---- Default tau (survRM2 rmst2, tau = NULL) ---------------------------------------------------
# NOT simply the minimum of the two arms' largest observed times. With x_k the largest observed
# time of arm k and s_k = min(status of the subjects observed at x_k) (so a censoring tied with an
# event at x_k counts as "censored"):
#   both last observations events                       -> tau = max(x1, x0)
#   the arm with the SMALLER x_k ends in an event (s=1)  -> tau = max(x1, x0)
#     (its KM is 0 from there on, so extending its curve flat at 0 is harmless)
#   the arm with the smaller x_k ends censored (s=0)     -> tau = min(x1, x0)   (and both censored)
#   (x1 == x0: that common value.)
# NEWS 1.0-2 describes it as "the minimum of the largest observed time in each of the two
# groups"; the code refines it as above. A user tau larger than this default is an ERROR in
# rmst2 ("The truncation time, tau, needs to be shorter than or equal to ..."); every tau below
# is <= the default (checked). Each comparison records the default ("default_tau") and whether
# the tau used is it ("tau_default").
#
# ---- rmst_diff.json ----------------------------------------------------------------------------
# { "meta": {generated_by, r_version, survival, jsonlite, method, note},
#   "cases": [ { "name", "description",
#                "time", "event", "arm",   inputs, one entry per subject, file row order; event
#                                          0/1; arm string labels (all arms of the case)
#                "control": label of arm 0, "level": confidence level (alpha = 1 - level),
#                "comparisons": [ { "treatment": label of arm 1, "tau", "tau_default",
#                     "default_tau",
#                     "arms": {"control":   {"n", "n_events", "rmst", "se", "rmtl"},
#                              "treatment": {...}},
#                     "difference": {"estimate", "se", "lower", "upper", "p"},
#                     "ratio":      {"estimate", "se_log", "lower", "upper", "p"},
#                     "rmtl_ratio": {"estimate", "se_log", "lower", "upper", "p"} or null
#                } ] } ] }
# Only the subjects of the two arms compared enter a comparison (per-arm KM fits, no pooling).

suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
source(file.path("tests", "reference", "lib", "common.R"))   # jnum, pkg_version, to_json, arr, sarr

# Independent re-implementation of survRM2's rmst1 (a check, not the reference): tau appended to
# the kept times, rectangles from 0, Greenwood plug-in variance.
rmst1_by_hand <- function(time, event, tau) {
  ut <- sort(unique(time))
  ut <- ut[ut <= tau]
  n <- vapply(ut, function(t) sum(time >= t), 0)
  d <- vapply(ut, function(t) sum(time == t & event == 1), 0)
  S <- cumprod(1 - d / n)
  rect <- diff(c(0, ut, tau)) * c(1, S)
  A <- rev(cumsum(rev(rect)))[-1]
  h <- ifelse(n - d == 0, 0, d / (n * (n - d)))
  c(rmst = sum(rect), var = sum(A^2 * h))
}

# survRM2's default tau (see header).
default_tau <- function(time, event, arm01) {
  last <- function(k) {
    t <- time[arm01 == k]; e <- event[arm01 == k]
    c(x = max(t), s = min(e[t == max(t)]))
  }
  l0 <- last(0); l1 <- last(1)
  if (l0[["x"]] == l1[["x"]]) return(l0[["x"]])
  shorter <- if (l0[["x"]] < l1[["x"]]) l0 else l1
  if (shorter[["s"]] == 1) max(l0[["x"]], l1[["x"]]) else min(l0[["x"]], l1[["x"]])
}

per_arm <- function(time, event, tau) {
  fit <- survfit(Surv(time, event) ~ 1)
  tab <- summary(fit, rmean = tau)$table
  rmst <- unname(tab[["rmean"]])
  se <- unname(tab[["se(rmean)"]])
  hand <- rmst1_by_hand(time, event, tau)
  stopifnot(abs(hand[["rmst"]] - rmst) <= 1e-12 * max(1, rmst),
            abs(hand[["var"]] - se^2) <= 1e-12 * max(1, se^2),
            tab[["records"]] == length(time), tab[["events"]] == sum(event))
  list(n = length(time), n_events = sum(event), rmst = rmst, se = se, rmtl = tau - rmst)
}

log_contrast <- function(x1, x0, se1, se0, z) {
  if (x1 <= 0 || x0 <= 0) return(NULL)
  L <- log(x1) - log(x0)
  se <- sqrt(se1^2 / x1^2 + se0^2 / x0^2)
  list(estimate = exp(L), se_log = se, lower = exp(L - z * se), upper = exp(L + z * se),
       p = 2 * pnorm(-abs(L) / se))
}

have_survRM2 <- requireNamespace("survRM2", quietly = TRUE)
max_rel_vs_survRM2 <- 0
rel <- function(a, b) if (a == b) 0 else abs(a - b) / max(abs(b), 1e-300)

comparison <- function(time, event, arm, control, treatment, tau, level) {
  keep <- arm %in% c(control, treatment)
  t <- time[keep]; e <- event[keep]; a01 <- as.numeric(arm[keep] == treatment)
  dtau <- default_tau(t, e, a01)
  use_default <- is.null(tau)
  if (use_default) tau <- dtau
  stopifnot(tau <= dtau)                       # rmst2 stops otherwise
  z <- qnorm(1 - (1 - level) / 2)
  a0 <- per_arm(t[a01 == 0], e[a01 == 0], tau)
  a1 <- per_arm(t[a01 == 1], e[a01 == 1], tau)
  D <- a1$rmst - a0$rmst
  seD <- sqrt(a1$se^2 + a0$se^2)
  out <- list(
    treatment = treatment, tau = tau, tau_default = use_default, default_tau = dtau,
    arms = list(control = a0, treatment = a1),
    difference = list(estimate = D, se = seD, lower = D - z * seD, upper = D + z * seD,
                      p = 2 * pnorm(-abs(D) / seD)),
    ratio = log_contrast(a1$rmst, a0$rmst, a1$se, a0$se, z),
    rmtl_ratio = log_contrast(a1$rmtl, a0$rmtl, a1$se, a0$se, z))
  if (have_survRM2) {
    r <- survRM2::rmst2(t, e, a01, tau = if (use_default) NULL else tau, alpha = 1 - level)
    u <- r$unadjusted.result
    mine <- c(D, out$difference$lower, out$difference$upper, out$difference$p,
              unlist(out$ratio[c("estimate", "lower", "upper", "p")]),
              unlist(out$rmtl_ratio[c("estimate", "lower", "upper", "p")]),
              a1$rmst, a0$rmst, a1$se^2, a0$se^2, tau)
    theirs <- c(u[1, ], u[2, ], u[3, ], r$RMST.arm1$rmst[[1]], r$RMST.arm0$rmst[[1]],
                r$RMST.arm1$rmst.var, r$RMST.arm0$rmst.var, r$tau)
    worst <- max(mapply(rel, unname(mine), unname(theirs)))
    max_rel_vs_survRM2 <<- max(max_rel_vs_survRM2, worst)
    stopifnot(worst <= 1e-12)
  }
  cat(sprintf("  %-22s tau=%-7g%s rmst1=%.6f (%.6f) rmst0=%.6f (%.6f) diff=%.6f [%.6f, %.6f] p=%.4g ratio=%.5f rmtl_ratio=%s\n",
              treatment, tau, if (use_default) "*" else " ", a1$rmst, a1$se, a0$rmst, a0$se,
              D, out$difference$lower, out$difference$upper, out$difference$p,
              out$ratio$estimate,
              if (is.null(out$rmtl_ratio)) "NA" else sprintf("%.5f", out$rmtl_ratio$estimate)))
  out
}

cases <- list()
# comps: list of list(treatment, tau) with tau = NULL for survRM2's default.
add_case <- function(name, description, time, event, arm, control, comps, level = 0.95) {
  stopifnot(length(time) == length(event), length(time) == length(arm),
            all(event %in% c(0, 1)), !anyNA(time), all(time >= 0), !anyNA(arm),
            control %in% arm)
  cat(sprintf("%s (control %s, level %g)\n", name, control, level))
  res <- lapply(comps, function(cmp)
    comparison(time, event, arm, control, cmp$treatment, cmp$tau, level))
  cases[[length(cases) + 1]] <<- list(
    name = name, description = description,
    time = arr(time), event = arr(event), arm = sarr(arm),
    control = control, level = level, comparisons = res)
}
cmp <- function(treatment, tau = NULL) list(treatment = treatment, tau = tau)

# ---- 1. CDISC pilot ADTTE (time to first dermatologic event), three arms ------------------------
adtte <- read.csv(file.path("datasets", "cdisc_pilot01", "adtte.csv"))
stopifnot(all(adtte$CNSR %in% c(0, 1)), nrow(adtte) == 254)
LOW <- "Xanomeline Low Dose"; HIGH <- "Xanomeline High Dose"
add_case("cdisc_adtte_trtp",
  paste("datasets/cdisc_pilot01/adtte.csv (PARAMCD TTDE), time = AVAL (days), event = 1 - CNSR,",
        "arm = TRTP (three arms), rows in file order; each treatment arm vs Placebo at",
        "survRM2's default tau (Low: 190, High: 189; all last observations censored, so the",
        "smaller of the two arms' largest times) and at tau = 150"),
  adtte$AVAL, 1 - adtte$CNSR, adtte$TRTP, "Placebo",
  list(cmp(LOW), cmp(LOW, 150), cmp(HIGH), cmp(HIGH, 150)))

# ---- 2. PBC (Mayo), randomised subjects, death = event, transplant censored ---------------------
pbc <- read.csv(file.path("datasets", "pbc_mayo", "pbc.csv"))
pbc <- pbc[!is.na(pbc$trt), ]
stopifnot(nrow(pbc) == 312)
pbc_desc <- paste("datasets/pbc_mayo/pbc.csv, the 312 randomised subjects (trt not NA), time = days,",
                  "event = status == 2 (death; transplant 1 and censored 0 are censored), arm = trt",
                  "as string (\"1\" = D-penicillamine, \"2\" = placebo, PROVENANCE.md), rows in",
                  "file order; D-penicillamine (\"1\") vs placebo (\"2\")")
add_case("pbc_trt",
  paste(pbc_desc, "at tau = 3650 and at the default tau (4523, the placebo arm's last time, censored)"),
  pbc$time, as.numeric(pbc$status == 2), as.character(pbc$trt), "2",
  list(cmp("1", 3650), cmp("1")))
add_case("pbc_trt_level90",
  paste("as pbc_trt with level = 0.9 (alpha = 0.1 in rmst2)"),
  pbc$time, as.numeric(pbc$status == 2), as.character(pbc$trt), "2",
  list(cmp("1", 3650), cmp("1")), level = 0.9)

# ---- 3. generated: integer times with many ties, three arms --------------------------------------
# A (control): exponential times (mean 7) rounded up, censored at 19 (administrative) or earlier
#   (15 % random dropout), plus two subjects with EVENTS tied at 20 = A's largest time (KM of A
#   reaches 0 at 20).
# B: mean 10, administrative censoring at 18, plus an event at 18 tied with B's censorings at 18
#   (survRM2 takes min(status) at the largest time: B "ends censored").
# C: mean 12, administrative censoring at 25, at least one subject censored at 25.
# Default tau: B vs A -> B has the smaller largest time (18) and ends censored -> 18 (min);
#              C vs A -> A has the smaller largest time (20) and ends with events -> 25 (max).
set.seed(20261203)
gen_arm <- function(n, mean, admin) {
  t <- ceiling(rexp(n, 1 / mean))
  c <- ifelse(runif(n) < 0.15, sample.int(admin, n, replace = TRUE), admin)
  list(time = pmin(t, c), event = as.numeric(t <= c))
}
A <- gen_arm(40, 7, 19); A$time <- c(A$time, 20, 20); A$event <- c(A$event, 1, 1)
B <- gen_arm(40, 10, 18); B$time <- c(B$time, 18); B$event <- c(B$event, 1)
C <- gen_arm(40, 12, 25)
stopifnot(any(B$time == 18 & B$event == 0), any(C$time == 25 & C$event == 0), max(C$time) == 25,
          max(A$time[seq_len(40)]) <= 19)
g_time <- c(A$time, B$time, C$time)
g_event <- c(A$event, B$event, C$event)
g_arm <- rep(c("A", "B", "C"), c(length(A$time), length(B$time), length(C$time)))
stopifnot(anyDuplicated(g_time) > 0)
add_case("generated_ties",
  paste("generated (set.seed(20261203), see rmst_diff.R): integer times 1..25 with many ties",
        "within and across arms; A (control, 42) ends with two tied events at 20 (KM 0),",
        "B (41) ends at 18 with an event tied with censorings, C (40) ends censored at 25.",
        "B vs A: default tau 18 (min rule) and tau = 10 (an event time);",
        "C vs A: default tau 25 (max rule: A's curve carried at 0 from 20), tau = 22",
        "(beyond A's last time) and tau = 12.5 (between times)"),
  g_time, g_event, g_arm, "A",
  list(cmp("B"), cmp("B", 10), cmp("C"), cmp("C", 22), cmp("C", 12.5)))

if (have_survRM2) {
  cat(sprintf("survRM2 %s installed: all values match rmst2, max rel diff %.3g\n",
              pkg_version("survRM2"), max_rel_vs_survRM2))
} else {
  cat("survRM2 not installed: checked against the re-implementation only\n")
}

meta <- list(
  generated_by = "tests/reference/rmst_diff.R",
  r_version = R.version.string,
  survival = pkg_version("survival"),
  jsonlite = pkg_version("jsonlite"),
  method = paste("survRM2 1.0-4 rmst2 (unadjusted; Uno et al. JCO 2014) re-stated on survfit's",
                 "per-arm summary(fit, rmean = tau)$table rmean and se(rmean); survRM2's per-arm",
                 "variance is exactly se(rmean)^2 (Greenwood plug-in, no n/(n-1) factor)"),
  note = paste("arm 1 = treatment, arm 0 = control; z = qnorm(1 - (1 - level)/2);",
               "difference rmst1 - rmst0, se = sqrt(se1^2 + se0^2), CI est -+ z se,",
               "p = 2 pnorm(-|est|/se); ratio rmst1/rmst0 on the log scale,",
               "se_log = sqrt(se1^2/rmst1^2 + se0^2/rmst0^2), CI exp(log r -+ z se_log),",
               "p = 2 pnorm(-|log r|/se_log); rmtl_ratio the same with rmtl = tau - rmst (same se);",
               "default tau: the larger of the arms' largest times if the arm with the smaller",
               "one ends with an event (min status at that time = 1), else the smaller;",
               "a tau above the default is an error in rmst2.")
)
writeLines(to_json(list(meta = meta, cases = cases)),
           file.path("tests", "reference", "rmst_diff.json"))
