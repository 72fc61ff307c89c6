# Reference values for the restricted mean survival time (RMST) of a Kaplan-Meier curve: R's
# survival package (Debian r-cran-survival 3.5) survfit + summary(..., rmean = tau).
#
# Run from the repository root:  Rscript tests/reference/rmst.R
# Writes tests/reference/rmst.json. Every number is written with 17 significant digits (jnum
# from lib/common.R), so inputs round-trip exactly and outputs can be compared at ~1e-12.
#
# ---- Call --------------------------------------------------------------------------------------
#   fit <- survfit(Surv(time, event) ~ 1)              (R defaults: conf.type "log", timefix)
#   tab <- summary(fit, rmean = tau)$table              (same numbers as print(fit, rmean = tau))
#   rmean = tab[["rmean"]], se_rmean = tab[["se(rmean)"]], n = tab[["records"]],
#   n_events = tab[["events"]]
#
# ---- R's definitions (survival:::survmean, inner function pfun) ---------------------------------
# fit$time are ALL distinct observed times (event and censor-only times), with n.risk (n_i),
# n.event (d_i) and the KM value surv (S_i) at each. start.time = min(0, time) = 0 here.
#     hh <- ifelse((n.risk - n.event) == 0, 0, n.event/(n.risk * (n.risk - n.event)))
#     keep <- which(time <= end.time)                     # end.time = tau
#     temptime <- c(time[keep], end.time)
#     tempsurv <- c(surv[keep], surv[max(keep)])
#     hh <- c(hh[keep], 0)
#     delta <- diff(c(start.time, temptime))
#     rectangles <- delta * c(1, tempsurv[-n])
#     varmean <- sum(cumsum(rev(rectangles[-1]))^2 * rev(hh)[-1])
#     mean <- sum(rectangles) + start.time
#   ...  sqrt(varmean) is reported as se(rmean).
# (If no time is <= tau: temptime = tau, tempsurv = 1, hh = 0, so rmean = tau, se = 0.)
# I.e. with t_1 < ... < t_m the distinct observed times <= tau:
#   rmean = integral_0^tau S(u) du of the right-continuous KM step function
#         = sum_{j=0..m} S(t_j) (t_{j+1} - t_j),   t_0 = 0, S(t_0) = 1, t_{m+1} = tau.
#   Var   = sum_{j=1..m} A_j^2 * d_j / (n_j (n_j - d_j)),   A_j = integral_{t_j}^tau S(u) du
#   (Greenwood-type; terms with n_j = d_j are 0; censor-only times have d_j = 0 and add
#   nothing; times > tau are dropped entirely; NO n/(n-1) correction factor).
# An event at exactly tau is kept (time <= tau) but its A_j = 0, so it adds nothing; a tau
# between event times adds the partial rectangle S(t_m) (tau - t_m).
# tau beyond the last observed time: all times are kept and the last KM value is carried flat to
# tau (rmean grows by S(t_max) (tau - t_max); every A_j grows too). R gives no warning or error
# (print() only footnotes "restricted mean with upper limit = tau"); the cases with
# "beyond_last" in the label record this (their "warnings" field is what R emitted, [] = none).
#
# ---- rmst.json ---------------------------------------------------------------------------------
# { "meta": {generated_by, r_version, survival, jsonlite, note},
#   "cases": [ { "label", "description", "tau",
#                "time", "event",              inputs, one entry per subject, file row order;
#                                              event 0/1
#                "n", "n_events", "rmean", "se_rmean",
#                "warnings" (strings R emitted while computing, [] when none) } ] }
# Each R value is also checked against an independent re-implementation of the formulas above.

suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
source(file.path("tests", "reference", "lib", "common.R"))   # jnum, pkg_version

# JSON: to_json, arr and sarr of lib/common.R.

# Independent re-implementation of the formulas in the header (a check, not the reference).
rmst_by_hand <- function(time, event, tau) {
  ut <- sort(unique(time))
  ut <- ut[ut <= tau]
  n <- vapply(ut, function(t) sum(time >= t), 0)
  d <- vapply(ut, function(t) sum(time == t & event == 1), 0)
  S <- cumprod(1 - d / n)
  grid <- c(0, ut, tau)
  Sleft <- c(1, S)                        # S on [grid[k], grid[k+1])
  rect <- diff(grid) * Sleft
  A <- rev(cumsum(rev(rect)))[-1]         # A_j = area from ut[j] to tau
  h <- ifelse(n - d == 0, 0, d / (n * (n - d)))
  c(rmean = sum(rect), se = sqrt(sum(A^2 * h)))
}

cases <- list()
add_case <- function(label, description, time, event, tau) {
  stopifnot(length(time) == length(event), all(event %in% c(0, 1)), !anyNA(time), all(time >= 0))
  warns <- character(0)
  tab <- withCallingHandlers({
    fit <- survfit(Surv(time, event) ~ 1)
    summary(fit, rmean = tau)$table
  }, warning = function(w) {
    warns <<- c(warns, conditionMessage(w))
    invokeRestart("muffleWarning")
  })
  rmean <- unname(tab[["rmean"]])
  se <- unname(tab[["se(rmean)"]])
  # print(fit, rmean = tau) goes through the same survmean()
  stopifnot(isTRUE(all.equal(unname(survival:::survmean(fit, rmean = tau)$matrix[c("rmean", "se(rmean)")]),
                             c(rmean, se), tolerance = 0)))
  hand <- rmst_by_hand(time, event, tau)
  stopifnot(abs(hand[["rmean"]] - rmean) <= 1e-12 * max(1, abs(rmean)),
            abs(hand[["se"]] - se) <= 1e-12 * max(1, se))
  stopifnot(tab[["records"]] == length(time), tab[["events"]] == sum(event))
  cat(sprintf("%-34s tau=%-6g n=%-3d events=%-3d rmean=%.10g se=%.10g warnings=%d\n", label, tau,
              length(time), as.integer(sum(event)), rmean, se, length(warns)))
  cases[[length(cases) + 1]] <<- list(
    label = label, description = description, tau = tau,
    time = arr(time), event = arr(event),
    n = length(time), n_events = sum(event),
    rmean = rmean, se_rmean = se,
    warnings = sarr(warns))
}

# ---- PBC (Mayo), randomised subjects, death = event, transplant censored, per arm ---------------
pbc <- read.csv(file.path("datasets", "pbc_mayo", "pbc.csv"))
pbc <- pbc[!is.na(pbc$trt), ]
stopifnot(nrow(pbc) == 312)
for (arm in c(1, 2)) for (tau in c(3000, 4000)) {
  d <- pbc[pbc$trt == arm, ]
  add_case(sprintf("pbc_trt%d_tau%d", arm, tau),
    paste0("datasets/pbc_mayo/pbc.csv, randomised subjects (trt not NA) with trt == ", arm,
           ", time = days, event = status == 2 (death; transplant 1 and 0 censored), rows in file order"),
    d$time, as.numeric(d$status == 2), tau)
}
# extra: tau beyond the last observed time of arm 1 (4556, censored, so S(t_max) > 0)
d <- pbc[pbc$trt == 1, ]
stopifnot(max(d$time) == 4556, d$status[which.max(d$time)] == 0)
add_case("pbc_trt1_tau5000_beyond_last",
  paste("as pbc_trt1_tau3000 with tau = 5000 > last observed time 4556 (censored, KM > 0 there):",
        "the last KM value is carried flat to tau"),
  d$time, as.numeric(d$status == 2), 5000)

# ---- CDISC pilot ADTTE (time to first dermatologic event), per arm ------------------------------
adtte <- read.csv(file.path("datasets", "cdisc_pilot01", "adtte.csv"))
stopifnot(all(adtte$CNSR %in% c(0, 1)))
for (arm in sort(unique(adtte$TRTP))) {
  d <- adtte[adtte$TRTP == arm, ]
  add_case(paste0("cdisc_adtte_", gsub("[^a-z0-9]+", "_", tolower(arm)), "_tau150"),
    paste0("datasets/cdisc_pilot01/adtte.csv (PARAMCD TTDE), TRTP == \"", arm,
           "\", time = AVAL (days), event = 1 - CNSR, rows in file order"),
    d$AVAL, 1 - d$CNSR, 150)
}

# ---- synthetic: ties, a censoring tied with an event (t = 2) -------------------------------------
syn_t <- c(1, 1, 2, 2, 3, 3, 4, 5, 5, 6, 7, 8)
syn_e <- c(1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1)
syn_desc <- "synthetic: tied times, a censoring tied with an event at t = 2, last time 8 is an event (KM = 0)"
add_case("synthetic_tau5", paste(syn_desc, "; tau = 5 is an event time"), syn_t, syn_e, 5)
add_case("synthetic_tau5.5", paste(syn_desc, "; tau = 5.5 lies between times 5 and 6"), syn_t, syn_e, 5.5)
add_case("synthetic_tau8", paste(syn_desc, "; tau = 8 = last time"), syn_t, syn_e, 8)
add_case("synthetic_tau10_beyond_last",
  paste(syn_desc, "; tau = 10 > last time 8: R accepts it without warning; KM = 0 after 8, so",
        "rmean and se equal the tau = 8 values"), syn_t, syn_e, 10)

meta <- list(
  generated_by = "tests/reference/rmst.R",
  r_version = R.version.string,
  survival = pkg_version("survival"),
  jsonlite = pkg_version("jsonlite"),
  note = paste("summary(survfit(Surv(time, event) ~ 1), rmean = tau)$table: rmean = integral",
               "of the KM step curve on [0, tau]; se(rmean) = sqrt(sum over distinct times",
               "t_j <= tau of A_j^2 d_j / (n_j (n_j - d_j))), A_j = KM area from t_j to tau,",
               "no n/(n-1) factor; tau beyond the last time carries the last KM value flat",
               "(no warning).")
)
writeLines(to_json(list(meta = meta, cases = cases)), file.path("tests", "reference", "rmst.json"))
