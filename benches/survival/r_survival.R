# R peer of the time-to-event benchmark: KM + log-rank + Cox (arm only) in one process, with R's
# survival package (Debian r-cran-survival 3.5) and data.table::fread (r-cran-data.table).
#
#   Rscript benches/survival/r_survival.R /tmp/tsbench/survival/adtte_1m.csv OUT.csv
#
# Input: the CSV of benches/survival/gen_adtte.py (ADTTE-like: AVAL days, CNSR 1 = censored,
# TRTP arm). event = 1 - CNSR. Arms in the order Placebo, Drug Low, Drug High (Placebo is the
# reference level of the factor, so also the Cox reference).
#   1. fit <- survfit(Surv(AVAL, event) ~ TRTP)      (conf.type "log", R's default)
#      summary(fit)$table: records, events, median, 0.95LCL, 0.95UCL per arm
#   2. survdiff(Surv(AVAL, event) ~ TRTP)            log-rank: chisq, df, p
#   3. coxph(Surv(AVAL, event) ~ TRTP, ties = "efron")  HR = exp(coef), Wald 95 % CI
#      exp(coef -+ 1.959964 se), Wald p per arm vs Placebo; likelihood-ratio / score / Wald tests
# OUT (CSV, header stat,arm,value; numbers with 17 significant digits; arm empty for tests):
#   n, events, median, median_lower, median_upper        per arm
#   logrank_chisq, logrank_df, logrank_p, logrank_log_p (natural log of p: p underflows to 0 at
#   this size), and logrank_observed / logrank_expected per arm
#   cox_coef, cox_se, hr, hr_lower, hr_upper, cox_p, cox_log_p   per non-reference arm
#   cox_lrt_chisq, cox_score_chisq, cox_wald_chisq, cox_loglik_null, cox_loglik, cox_iter
# Step times (read / survfit / survdiff / coxph / write) go to stderr.

suppressPackageStartupMessages({
  library(survival)
  library(data.table)
})
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2) stop("usage: Rscript benches/survival/r_survival.R INPUT.csv OUT.csv")
ARMS <- c("Placebo", "Drug Low", "Drug High")

t0 <- proc.time()[["elapsed"]]
lap <- function(what) {
  t <- proc.time()[["elapsed"]]
  message(sprintf("%-9s %7.3f s", what, t - t0))
  t0 <<- t
}

d <- fread(args[1], select = c("AVAL", "CNSR", "TRTP"),
           colClasses = list(numeric = "AVAL", integer = "CNSR", character = "TRTP"))
stopifnot(all(d$TRTP %in% ARMS), all(d$CNSR %in% c(0L, 1L)), !anyNA(d$AVAL))
d[, event := 1L - CNSR]
d[, TRTP := factor(TRTP, levels = ARMS)]
lap("read")

fit <- survfit(Surv(AVAL, event) ~ TRTP, data = d)
tab <- summary(fit)$table
stopifnot(identical(rownames(tab), paste0("TRTP=", ARMS)))
lap("survfit")

lr <- survdiff(Surv(AVAL, event) ~ TRTP, data = d)
lr_df <- length(lr$n) - 1L
lr_p <- pchisq(lr$chisq, lr_df, lower.tail = FALSE)
lap("survdiff")

cx <- coxph(Surv(AVAL, event) ~ TRTP, data = d, ties = "efron")
cf <- coef(cx)
se <- sqrt(diag(vcov(cx)))
z <- qnorm(0.975)
lap("coxph")

rows <- list()
add <- function(stat, arm, value) rows[[length(rows) + 1]] <<- data.frame(stat = stat, arm = arm, value = value)
for (i in seq_along(ARMS)) {
  a <- ARMS[i]
  add("n", a, tab[i, "records"])
  add("events", a, tab[i, "events"])
  add("median", a, tab[i, "median"])
  add("median_lower", a, tab[i, "0.95LCL"])
  add("median_upper", a, tab[i, "0.95UCL"])
}
add("logrank_chisq", "", lr$chisq)
add("logrank_df", "", lr_df)
add("logrank_p", "", lr_p)
add("logrank_log_p", "", pchisq(lr$chisq, lr_df, lower.tail = FALSE, log.p = TRUE))
for (i in seq_along(ARMS)) {
  add("logrank_observed", ARMS[i], lr$obs[i])
  add("logrank_expected", ARMS[i], lr$exp[i])
}
for (i in seq_along(cf)) {
  a <- ARMS[i + 1]
  stopifnot(names(cf)[i] == paste0("TRTP", a))
  add("cox_coef", a, cf[[i]])
  add("cox_se", a, se[[i]])
  add("hr", a, exp(cf[[i]]))
  add("hr_lower", a, exp(cf[[i]] - z * se[[i]]))
  add("hr_upper", a, exp(cf[[i]] + z * se[[i]]))
  add("cox_p", a, 2 * pnorm(-abs(cf[[i]] / se[[i]])))
  add("cox_log_p", a, log(2) + pnorm(-abs(cf[[i]] / se[[i]]), log.p = TRUE))
}
add("cox_lrt_chisq", "", 2 * (cx$loglik[2] - cx$loglik[1]))
add("cox_score_chisq", "", cx$score)
add("cox_wald_chisq", "", cx$wald.test)
add("cox_loglik_null", "", cx$loglik[1])
add("cox_loglik", "", cx$loglik[2])
add("cox_iter", "", cx$iter)
out <- do.call(rbind, rows)
out$value <- ifelse(is.na(out$value), "NA", sprintf("%.17g", out$value))
fwrite(out, args[2], quote = FALSE)
lap("write")
