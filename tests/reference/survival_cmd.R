# Reference values for `trialstat survival` options on the CDISC pilot ADTTE (time to first
# dermatologic event): --strata (stratified log-rank and Cox, one and two stratification
# variables), --subgroups (hazard ratios within subgroups and the arm-by-subgroup interaction
# likelihood-ratio test, also with strata), --at (landmark survival, log and log-log CIs) and
# --time-unit months (median and RMST in months), as R's survival package (Debian
# r-cran-survival 3.5-3) computes them.
#
# Run from the repository root:  Rscript tests/reference/survival_cmd.R
# Writes tests/reference/survival_cmd.json. Every number is written with 17 significant digits
# (jnum / to_json from lib/common.R); R's NA / NaN is written as null, +-Inf as "Infinity" /
# "-Infinity". Deterministic: no random numbers; two runs give byte-identical files.
#
# ---- Data --------------------------------------------------------------------------------------
#   d <- read.csv("datasets/cdisc_pilot01/adtte.csv")       (254 rows, one PARAMCD: TTDE)
#   AVAL = time in days, event = 1 - CNSR,
#   TRTP = factor(TRTP, levels = c("Placebo", "Xanomeline High Dose", "Xanomeline Low Dose"))
#          (Placebo the reference; High before Low = sorted order = order of first appearance)
#   SEX  = factor(SEX)    levels "F", "M"
#   AGEGR1 = factor(AGEGR1)  levels "65-80", "<65", ">80"
# LC_COLLATE is set to "C" first, so R's factor()/sort() order is the BYTE order of the labels
# (the order of Rust's str::cmp / natural_sort on text). Caution: under this machine's default
# C.UTF-8 R collates with ICU and would give "<65", ">80", "65-80"; the order only changes which
# level is the reference of SEX / AGEGR1 in the interaction models (the log-likelihoods, the LR
# test and every subgroup hazard ratio are invariant to it) and the order of listed levels.
# The data's order of first appearance of AGEGR1 is "<65", "65-80", ">80" (recorded too).
# Every per-arm list below is in TRTP level order (Placebo, High, Low); every per-term list (the
# hazard ratios) is in coefficient order: High vs Placebo, then Low vs Placebo.
#
# ---- Calls (survival defaults otherwise: conf.int 0.95, timefix = TRUE, coxph.control()) -------
#   Case "strata_sex" (STRATA = strata(SEX)) and "strata_sex_agegr1" (STRATA = strata(SEX, AGEGR1),
#   one stratum per SEX x AGEGR1 combination, 6 strata):
#     survdiff(Surv(AVAL, event) ~ TRTP + STRATA, data = d)                  (rho = 0)
#     for TIES in "efron", "breslow":
#       fit <- coxph(Surv(AVAL, event) ~ TRTP + STRATA, data = d, ties = TIES); s <- summary(fit)
#       zph <- cox.zph(fit)                     (transform = "km", terms = TRUE, global = TRUE)
#   Cases "subgroups_sex" (VAR = SEX, no strata), "subgroups_agegr1" (VAR = AGEGR1, no strata),
#   "subgroups_sex_strata_agegr1" (VAR = SEX, STRATA = + strata(AGEGR1) in EVERY model), all Efron:
#     per level L of VAR:  coxph(Surv(AVAL, event) ~ TRTP [+ STRATA], data = d, subset = VAR == L)
#     interaction:  main <- coxph(Surv(AVAL, event) ~ TRTP + VAR [+ STRATA], data = d)
#                   full <- coxph(Surv(AVAL, event) ~ TRTP * VAR [+ STRATA], data = d)
#                   chisq = 2 (fit$loglik[2] of full - of main),
#                   df = (non-NA coefs of full) - (non-NA coefs of main) = 2 (levels - 1),
#                   p = pchisq(chisq, df, lower.tail = FALSE)
#                   (checked equal to anova(main, full) to 1e-12)
#   Case "landmarks": per arm (rows of that arm only), for CT in "log", "log-log":
#     fit <- survfit(Surv(AVAL, event) ~ 1, conf.type = CT);  summary(fit, times = c(30, 90, 180))
#   Case "time_unit_months": months = AVAL / (365.25 / 12) (= AVAL / 30.4375); per arm:
#     fit <- survfit(Surv(months, event) ~ 1)          (conf.type = "log")
#     quantile(fit, probs = 0.5, conf.int = TRUE)      -> median with CI
#     summary(fit, rmean = 5)$table                    -> rmean, se(rmean) (the numbers that
#                                                         print(fit, rmean = 5) shows; checked
#                                                         equal to survival:::survmean)
# Warnings are caught per call with withCallingHandlers and recorded verbatim per fit ([] = none;
# this data gives none).
#
# ---- survival_cmd.json -------------------------------------------------------------------------
# { "meta": {generated_by, r_version, survival, jsonlite, data, time, event, arms (TRTP labels,
#            reference first), reference, collation, note},
#   "cases": [ one object per case, in the order 1-7 below ] }
# Common shapes:
#   TEST  = {"chisq", "df", "p"}
#   TERM  = {"arm"       (TRTP label of the non-reference arm, e.g. "Xanomeline High Dose"),
#            "term"      (R's coefficient name, e.g. "TRTPXanomeline High Dose"),
#            "coef", "se" (sqrt(diag(fit$var))),
#            "hr" (exp(coef)), "hr_lower", "hr_upper" (s$conf.int "lower .95" / "upper .95"),
#            "z", "p" (s$coefficients "Pr(>|z|)")}
#   STRATUM = {"label", "n", "events"}   labels "SEX=F" / "SEX=F, AGEGR1=65-80" (the variable=value
#            form of trialstat; R's strata() itself labels them "F" / "F, 65-80"), byte order
#            (= R's strata() level order under C collation)
#   COX   = {"ties": "efron" | "breslow", "n", "events",
#            "terms": [TERM, TERM],
#            "loglik": [fit$loglik[1] (beta = 0), fit$loglik[2] (final)],
#            "lr": TEST (s$logtest), "wald": TEST (chisq = fit$wald.test UNROUNDED; df, p of
#            s$waldtest), "score": TEST (s$sctest),
#            "zph": {"terms": [{"name": "TRTP", "chisq", "df", "p"}],
#                    "global": TEST}                 (zph$table rows "TRTP" and "GLOBAL"),
#            "warnings": [strings: coxph, summary; cox.zph's prefixed "cox.zph: "]}
# 1. "strata_sex", 2. "strata_sex_agegr1":
#   {"name", "description", "strata_vars": ["SEX"] | ["SEX", "AGEGR1"],
#    "strata": [STRATUM ...],
#    "logrank": {"chisq", "df", "p" (pchisq(chisq, df, lower = FALSE) = survdiff's $pvalue),
#                "arms": [labels], "n": [per arm], "obs": [per arm, summed over strata],
#                "exp": [per arm, summed over strata], "warnings": [..]},
#    "cox": [COX (efron), COX (breslow)]}
# 3. "subgroups_sex", 4. "subgroups_agegr1", 5. "subgroups_sex_strata_agegr1":
#   {"name", "description", "variable": "SEX" | "AGEGR1", "strata_vars": [] | ["AGEGR1"],
#    "ties": "efron",
#    "levels": [R's factor order under C collation = byte order],
#    "levels_data_order": [order of first appearance in the file],
#    "subgroups": [ per level, in "levels" order:
#       {"level", "n", "events", "n_per_arm": [per arm], "events_per_arm": [per arm],
#        "terms": [TERM, TERM], "warnings": [..]} ],
#    "interaction": {"main_formula", "full_formula" (strings),
#                    "loglik_main", "loglik_full" (fit$loglik[2] of each),
#                    "loglik_null" (fit$loglik[1], the same for both),
#                    "ncoef_main", "ncoef_full" (non-NA coefficients), "chisq", "df", "p",
#                    "warnings_main", "warnings_full": [..]}}
# 6. "landmarks":
#   {"name", "description", "times": [30, 90, 180] (days),
#    "arms": [ per arm: {"arm", "n", "events",
#              "log" | "log-log": {"time", "n_risk", "surv", "std_err", "lower", "upper"}
#                                   (arrays aligned with "times"; std_err on the S scale as
#                                    summary.survfit reports it = S * Greenwood SE of -log S),
#              "warnings": [..]} ]}
#   (every arm is followed beyond 180 days, so each time has a row.)
# 7. "time_unit_months":
#   {"name", "description", "days_per_month": 30.4375, "conf_type": "log", "tau": 5 (months),
#    "arms": [ per arm: {"arm", "n", "events",
#              "median": {"quantile", "lower", "upper"} (months; null = not reached),
#              "rmean", "se_rmean" (months), "warnings": [..]} ]}

suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
source(file.path("tests", "reference", "lib", "common.R"))   # to_json, arr, sarr, jnum
invisible(Sys.setlocale("LC_COLLATE", "C"))

# Evaluate expr, collecting its warnings (muffled) with `prefix`.
with_warnings <- function(expr, prefix = "") {
  warns <- character(0)
  value <- withCallingHandlers(expr, warning = function(w) {
    warns <<- c(warns, paste0(prefix, conditionMessage(w)))
    invokeRestart("muffleWarning")
  })
  list(value = value, warnings = warns)
}

arm_levels <- c("Placebo", "Xanomeline High Dose", "Xanomeline Low Dose")
d <- read.csv(file.path("datasets", "cdisc_pilot01", "adtte.csv"), stringsAsFactors = FALSE)
stopifnot(nrow(d) == 254, all(d$PARAMCD == "TTDE"), all(d$CNSR %in% c(0, 1)), !anyNA(d$AVAL),
          all(d$TRTP %in% arm_levels), identical(unique(d$TRTP), arm_levels),
          all(d$SEX %in% c("F", "M")), !anyNA(d$AGEGR1), all(d$AGEGR1 != ""))
d$event <- 1 - d$CNSR
agegr1_data_order <- unique(d$AGEGR1)
d$TRTP <- factor(d$TRTP, levels = arm_levels)
d$SEX <- factor(d$SEX)
d$AGEGR1 <- factor(d$AGEGR1)
stopifnot(identical(levels(d$SEX), c("F", "M")),
          identical(levels(d$AGEGR1), sort(agegr1_data_order, method = "radix")),
          identical(levels(d$AGEGR1), c("65-80", "<65", ">80")))
coef_names <- paste0("TRTP", arm_levels[-1])

# TERM objects (see the header) from a coxph fit and its summary.
cox_terms <- function(fit, s) {
  stopifnot(identical(names(coef(fit))[seq_along(coef_names)], coef_names))
  cm <- s$coefficients
  ci <- s$conf.int
  se <- sqrt(diag(fit$var))
  lapply(seq_along(coef_names), function(j) {
    k <- coef_names[j]
    list(arm = arm_levels[j + 1], term = k, coef = unname(coef(fit)[k]), se = se[j],
         hr = unname(exp(coef(fit)[k])), hr_lower = ci[k, "lower .95"],
         hr_upper = ci[k, "upper .95"], z = cm[k, "z"], p = cm[k, "Pr(>|z|)"])
  })
}
test3 <- function(v) list(chisq = unname(v[[1]]), df = unname(v[["df"]]), p = unname(v[["pvalue"]]))

# Strata labels (variable=value, joined by ", ") and their counts.
strata_label <- function(vars) {
  do.call(paste, c(lapply(vars, function(v) paste0(v, "=", as.character(d[[v]]))), sep = ", "))
}
strata_table <- function(vars) {
  lab <- strata_label(vars)
  rs <- with(d, eval(as.call(c(quote(strata), lapply(vars, as.name)))))
  stopifnot(nlevels(factor(lab)) == nlevels(rs),
            all(rowSums(table(lab, rs) > 0) == 1))   # the same partition as R's strata()
  levs <- sort(unique(lab), method = "radix")
  lapply(levs, function(l) list(label = l, n = sum(lab == l), events = sum(d$event[lab == l])))
}

cases <- list()

# ---- 1-2. stratified log-rank and Cox ------------------------------------------------------------
strata_case <- function(name, vars, description) {
  strata_term <- paste0("strata(", paste(vars, collapse = ", "), ")")
  form <- as.formula(paste("Surv(AVAL, event) ~ TRTP +", strata_term))
  sd <- with_warnings(survdiff(form, data = d))
  sdf <- sd$value
  stopifnot(identical(names(sdf$n), paste0("TRTP=", arm_levels)))
  df <- length(arm_levels) - 1
  p <- pchisq(sdf$chisq, df, lower.tail = FALSE)
  stopifnot(isTRUE(all.equal(p, sdf$pvalue, tolerance = 1e-14)))
  logrank <- list(chisq = sdf$chisq, df = df, p = p, arms = sarr(arm_levels),
                  n = arr(as.vector(sdf$n)), obs = arr(rowSums(sdf$obs)),
                  exp = arr(rowSums(sdf$exp)), warnings = sarr(sd$warnings))
  cat(sprintf("%-28s log-rank chisq=%.10g df=%d p=%.6g\n", name, sdf$chisq, df, p))
  cox <- lapply(c("efron", "breslow"), function(ties) {
    f <- with_warnings(coxph(form, data = d, ties = ties))
    fit <- f$value
    s <- with_warnings(summary(fit))
    z <- with_warnings(cox.zph(fit), "cox.zph: ")
    zt <- z$value$table
    stopifnot(identical(rownames(zt), c("TRTP", "GLOBAL")), !anyNA(coef(fit)))
    sw <- s$value$waldtest
    stopifnot(isTRUE(all.equal(pchisq(fit$wald.test, sw[["df"]], lower.tail = FALSE),
                               sw[["pvalue"]], tolerance = 1e-14)))
    out <- list(ties = ties, n = fit$n, events = fit$nevent,
                terms = cox_terms(fit, s$value), loglik = arr(fit$loglik),
                lr = test3(s$value$logtest),
                wald = list(chisq = fit$wald.test, df = sw[["df"]], p = sw[["pvalue"]]),
                score = test3(s$value$sctest),
                zph = list(terms = list(list(name = "TRTP", chisq = zt["TRTP", "chisq"],
                                             df = zt["TRTP", "df"], p = zt["TRTP", "p"])),
                           global = list(chisq = zt["GLOBAL", "chisq"], df = zt["GLOBAL", "df"],
                                         p = zt["GLOBAL", "p"])),
                warnings = sarr(c(f$warnings, s$warnings, z$warnings)))
    cat(sprintf("%-28s %-7s HR=%s lr=%.8g wald=%.8g score=%.8g zph_global=%.8g warnings=%d\n",
                name, ties, paste(sprintf("%.8g", exp(coef(fit))), collapse = "/"),
                out$lr$chisq, out$wald$chisq, out$score$chisq, out$zph$global$chisq,
                length(out$warnings)))
    out
  })
  cases[[length(cases) + 1]] <<- list(name = name, description = description,
                                      strata_vars = sarr(vars), strata = strata_table(vars),
                                      logrank = logrank, cox = cox)
}
strata_case("strata_sex", "SEX",
  paste("survdiff(Surv(AVAL, 1 - CNSR) ~ TRTP + strata(SEX)); coxph(... ~ TRTP + strata(SEX)),",
        "Efron and Breslow; cox.zph"))
strata_case("strata_sex_agegr1", c("SEX", "AGEGR1"),
  paste("survdiff(Surv(AVAL, 1 - CNSR) ~ TRTP + strata(SEX, AGEGR1)) (6 combined strata);",
        "coxph(... ~ TRTP + strata(SEX, AGEGR1)), Efron and Breslow; cox.zph"))

# ---- 3-5. subgroups and the interaction test -----------------------------------------------------
subgroup_case <- function(name, var, strata_vars, description) {
  st <- if (length(strata_vars)) paste0(" + strata(", paste(strata_vars, collapse = ", "), ")") else ""
  levs <- levels(d[[var]])
  subgroups <- lapply(levs, function(l) {
    keep <- d[[var]] == l
    sub <- d[keep, ]
    f <- with_warnings(coxph(as.formula(paste0("Surv(AVAL, event) ~ TRTP", st)), data = d,
                             subset = keep))
    fit <- f$value
    s <- with_warnings(summary(fit))
    stopifnot(fit$n == nrow(sub), !anyNA(coef(fit)))
    out <- list(level = l, n = nrow(sub), events = sum(sub$event),
                n_per_arm = arr(as.vector(table(sub$TRTP))),
                events_per_arm = arr(as.vector(tapply(sub$event, sub$TRTP, sum))),
                terms = cox_terms(fit, s$value), warnings = sarr(c(f$warnings, s$warnings)))
    cat(sprintf("%-28s %s=%-6s n=%d events=%d HR=%s p=%s warnings=%d\n", name, var, l,
                out$n, out$events,
                paste(sprintf("%.8g", vapply(out$terms, function(t) t$hr, 0)), collapse = "/"),
                paste(sprintf("%.6g", vapply(out$terms, function(t) t$p, 0)), collapse = "/"),
                length(out$warnings)))
    out
  })
  main_formula <- paste0("Surv(AVAL, event) ~ TRTP + ", var, st)
  full_formula <- paste0("Surv(AVAL, event) ~ TRTP * ", var, st)
  m <- with_warnings(coxph(as.formula(main_formula), data = d))
  f <- with_warnings(coxph(as.formula(full_formula), data = d))
  ncoef_main <- sum(!is.na(coef(m$value)))
  ncoef_full <- sum(!is.na(coef(f$value)))
  stopifnot(ncoef_full - ncoef_main == (length(arm_levels) - 1) * (length(levs) - 1),
            isTRUE(all.equal(m$value$loglik[1], f$value$loglik[1], tolerance = 1e-14)))
  chisq <- 2 * (f$value$loglik[2] - m$value$loglik[2])
  df <- ncoef_full - ncoef_main
  p <- pchisq(chisq, df, lower.tail = FALSE)
  a <- anova(m$value, f$value)
  stopifnot(isTRUE(all.equal(a[["Chisq"]][2], chisq, tolerance = 1e-12)), a[["Df"]][2] == df,
            isTRUE(all.equal(a[["Pr(>|Chi|)"]][2], p, tolerance = 1e-12)))
  cat(sprintf("%-28s interaction chisq=%.10g df=%d p=%.10g loglik main=%.12g full=%.12g\n",
              name, chisq, df, p, m$value$loglik[2], f$value$loglik[2]))
  cases[[length(cases) + 1]] <<- list(
    name = name, description = description, variable = var, strata_vars = sarr(strata_vars),
    ties = "efron", levels = sarr(levs),
    levels_data_order = sarr(unique(as.character(d[[var]]))),
    subgroups = subgroups,
    interaction = list(main_formula = main_formula, full_formula = full_formula,
                       loglik_main = m$value$loglik[2], loglik_full = f$value$loglik[2],
                       loglik_null = m$value$loglik[1],
                       ncoef_main = ncoef_main, ncoef_full = ncoef_full,
                       chisq = chisq, df = df, p = p,
                       warnings_main = sarr(m$warnings), warnings_full = sarr(f$warnings)))
}
subgroup_case("subgroups_sex", "SEX", character(0),
  paste("coxph(Surv(AVAL, 1 - CNSR) ~ TRTP, subset = SEX == level) per level (Efron);",
        "interaction LR test TRTP * SEX vs TRTP + SEX"))
subgroup_case("subgroups_agegr1", "AGEGR1", character(0),
  paste("coxph(Surv(AVAL, 1 - CNSR) ~ TRTP, subset = AGEGR1 == level) per level (Efron);",
        "interaction LR test TRTP * AGEGR1 vs TRTP + AGEGR1 (df 4)"))
subgroup_case("subgroups_sex_strata_agegr1", "SEX", "AGEGR1",
  paste("coxph(Surv(AVAL, 1 - CNSR) ~ TRTP + strata(AGEGR1), subset = SEX == level) per level",
        "(Efron); interaction LR test TRTP * SEX + strata(AGEGR1) vs TRTP + SEX + strata(AGEGR1)"))

# ---- 6. landmarks ------------------------------------------------------------------------------
landmark_times <- c(30, 90, 180)
landmark_arms <- lapply(arm_levels, function(a) {
  sub <- d[d$TRTP == a, ]
  stopifnot(max(sub$AVAL) >= max(landmark_times))
  warns <- character(0)
  per_ct <- lapply(c("log", "log-log"), function(ct) {
    f <- with_warnings(survfit(Surv(AVAL, event) ~ 1, data = sub, conf.type = ct))
    s <- with_warnings(summary(f$value, times = landmark_times))
    warns <<- c(warns, f$warnings, s$warnings)
    sm <- s$value
    stopifnot(identical(as.numeric(sm$time), landmark_times))
    list(time = arr(sm$time), n_risk = arr(sm$n.risk), surv = arr(sm$surv),
         std_err = arr(sm$std.err), lower = arr(sm$lower), upper = arr(sm$upper))
  })
  names(per_ct) <- c("log", "log-log")
  cat(sprintf("landmarks %-22s surv=%s n_risk=%s\n", a,
              paste(sprintf("%.8g", unclass(per_ct$log$surv)), collapse = "/"),
              paste(unclass(per_ct$log$n_risk), collapse = "/")))
  c(list(arm = a, n = nrow(sub), events = sum(sub$event)), per_ct,
    list(warnings = sarr(warns)))
})
cases[[length(cases) + 1]] <- list(
  name = "landmarks",
  description = paste("per arm survfit(Surv(AVAL, 1 - CNSR) ~ 1, conf.type = log | log-log);",
                      "summary(fit, times = c(30, 90, 180)) (days)"),
  times = arr(landmark_times), arms = landmark_arms)

# ---- 7. time unit: months ------------------------------------------------------------------------
days_per_month <- 365.25 / 12
tau <- 5
month_arms <- lapply(arm_levels, function(a) {
  sub <- d[d$TRTP == a, ]
  sub$months <- sub$AVAL / days_per_month
  f <- with_warnings(survfit(Surv(months, event) ~ 1, data = sub))
  fit <- f$value
  q <- with_warnings(quantile(fit, probs = 0.5, conf.int = TRUE))
  s <- with_warnings(summary(fit, rmean = tau))
  tab <- s$value$table
  sm <- survival:::survmean(fit, scale = 1, rmean = tau)$matrix
  stopifnot(isTRUE(all.equal(tab[["rmean"]], sm[["rmean"]], tolerance = 1e-15)),
            isTRUE(all.equal(tab[["se(rmean)"]], sm[["se(rmean)"]], tolerance = 1e-15)))
  out <- list(arm = a, n = nrow(sub), events = sum(sub$event),
              median = list(quantile = unname(q$value$quantile[1]),
                            lower = unname(q$value$lower[1]), upper = unname(q$value$upper[1])),
              rmean = tab[["rmean"]], se_rmean = tab[["se(rmean)"]],
              warnings = sarr(c(f$warnings, q$warnings, s$warnings)))
  cat(sprintf("months %-25s median=%.10g (%s, %s) rmean=%.10g se=%.10g\n", a,
              out$median$quantile, jnum(out$median$lower), jnum(out$median$upper),
              out$rmean, out$se_rmean))
  out
})
cases[[length(cases) + 1]] <- list(
  name = "time_unit_months",
  description = paste("months = AVAL / (365.25 / 12); per arm survfit(Surv(months, 1 - CNSR) ~ 1)",
                      "(conf.type log): quantile(fit, 0.5, conf.int = TRUE) and",
                      "summary(fit, rmean = 5)$table (= print(fit, rmean = 5))"),
  days_per_month = days_per_month, conf_type = "log", tau = tau, arms = month_arms)

meta <- list(
  generated_by = "tests/reference/survival_cmd.R",
  r_version = R.version.string,
  survival = pkg_version("survival"),
  jsonlite = pkg_version("jsonlite"),
  data = "datasets/cdisc_pilot01/adtte.csv (PARAMCD TTDE, 254 subjects)",
  time = "AVAL (days)",
  event = "1 - CNSR",
  arms = sarr(arm_levels),
  reference = arm_levels[1],
  collation = paste("LC_COLLATE = C: R's factor level order is the byte order of the labels",
                    "(AGEGR1: 65-80, <65, >80)"),
  note = paste("Cox fits: coxph defaults (ties efron unless stated; breslow also in the strata",
               "cases). wald.chisq is fit$wald.test unrounded. Interaction: 2 (loglik(TRTP * VAR)",
               "- loglik(TRTP + VAR)), df = difference in non-NA coefficients. See the header",
               "of survival_cmd.R for every call and key.")
)
writeLines(to_json(list(meta = meta, cases = cases)),
           file.path("tests", "reference", "survival_cmd.json"))
