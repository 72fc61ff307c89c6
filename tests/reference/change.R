# Reference values for `trialstat change`: change from baseline in each arm, and between-arm
# comparisons of the change, as R computes them.
#
# Run from the repository root:  Rscript tests/reference/change.R
# Writes tests/reference/change.json (numbers with 17 significant digits; NA as null).
#
# Per case, the analysis set of an arm is its subjects with BOTH baseline and follow-up non-missing
# (complete pairs); change = follow-up - baseline, percent change = 100 * change / abs(baseline).
#   arms.<arm>          n_pairs, missing_pairs (subjects of the arm with a row but only one of the
#                       two values), summaries {n, mean, sd, median, q1, q3} (quantile type 7, R's
#                       default) of baseline, follow-up, change and percent change;
#     paired_t          t.test(change): estimate, conf.int, t, df, p;
#     standardized      d_z and g_z of the change: effectsize::cohens_d(change) and
#                       hedges_g(change) (one sample: mean / SD, noncentral-t CI), with `tight`;
#     signed_rank       wilcox.test(change, conf.int = TRUE) with R's default exact / correct:
#                       V, p, estimate, CI, and whether the exact distribution was used (R uses it
#                       when n < 50 and there are no ties or zeros; otherwise the normal
#                       approximation with continuity correction).
#   comparisons[]       each non-control arm vs the control arm:
#     welch             t.test(change_t, change_c) (Welch): estimate = mean_t - mean_c, CI, t, df, p;
#     pooled            t.test(change_t, change_c, var.equal = TRUE): the pooled-variance t
#                       (`--ci-method pooled`);
#     hedges_g_percent  the same for the percent changes;
#     hedges_g          effectsize::hedges_g(change_t, change_c) (0.8.3): pooled SD, the exact
#                       gamma-function correction J(df) = Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2)),
#                       df = n1 + n2 - 2 (not the approximation 1 - 3/(4 df - 1)), and the
#                       noncentral-t 95% CI;
#     mann_whitney      wilcox.test(change_t, change_c, conf.int = TRUE): W, p, Hodges-Lehmann
#                       estimate, CI, exact used or not;
#     ancova            lm(followup ~ arm + baseline + covariates) on the complete cases (baseline,
#                       follow-up and every covariate non-missing) of ALL arms of the case, arm a
#                       factor with the control as reference level; the row of the treatment's
#                       arm coefficient: estimate, se, t, p, residual df, confint 95%, n = nobs.
# Extra entries, beyond the layout above:
#   `tight` under signed_rank / mann_whitney: the same wilcox.test call with tol.root = 1e-12. When
#     the normal approximation is used, R finds the estimate and CI with uniroot(tol = 1e-4), so
#     R's default values are only good to about 1e-4; `tight` is the same root solved tightly.
#   `tight` under hedges_g: the noncentral-t limits solved with uniroot(tol = 1e-12) on pt(t, df,
#     ncp) (as in continuous.R). effectsize finds them with optim() and stops ~1e-6 from the root.
#   `warnings` per case: R's warnings, prefixed with where they came from.
#   `base_column_mismatches` (BDS case): subjects whose Baseline AVAL differs from the BASE column of
#     their Week 24 row (0 expected).
# Cases:
#   headache, headache_nocov  acupuncture headache trial (Vickers et al., BMJ 2004;328:744), pk1 -> pk5;
#   opt_il6                   OPT trial serum IL-6, O61 -> O65 (many values at the assay floor 4.9: ties);
#   cdisc_adas                CDISC pilot 01 ADAS-Cog(11) (ADaM BDS, long), Baseline -> Week 24 (LOCF),
#                             three arms, pooled site SITEGR1 as a factor covariate.
# The script stops if a published / provenance anchor is not reproduced (see check() calls).

suppressPackageStartupMessages({
  library(jsonlite)
  library(effectsize)
})
source(file.path("tests", "reference", "lib", "common.R"))   # json_num, pkg_versions, write_pretty_json

read_data <- function(file) {
  read.csv(file, na.strings = c("", "NA", "."), check.names = FALSE, stringsAsFactors = FALSE)
}

source(file.path("tests", "reference", "lib", "compare.R"))   # with_warnings, summ, t_entry, wilcox_entry, hedges_entry, dz_entries

# ---- anchors ---------------------------------------------------------------------------------------
# Stop unless `value` rounds to `expected` at `digits` decimals (or equals it, for counts).
check <- function(what, value, expected, digits = NULL) {
  got <- if (is.null(digits)) value else round(value, digits)
  ok <- isTRUE(all.equal(as.numeric(got), as.numeric(expected), tolerance = 1e-12))
  cat(sprintf("  check %-55s %s (expected %s) %s\n", what, paste(format(got), collapse = " "),
              paste(format(expected), collapse = " "), if (ok) "ok" else "MISMATCH"))
  if (!ok) stop("anchor not reproduced: ", what)
}

# ---- one case ------------------------------------------------------------------------------------
# d: one row per subject, columns arm (character), baseline, followup and the covariates.
# missing: named integer vector, per arm, of subjects with only one of baseline / follow-up.
# factor_covs: covariates entered as factor(); the others enter as they are (numeric).
analyse <- function(spec, d, missing, factor_covs = character(0)) {
  arms <- c(spec$control, spec$treatments)
  stopifnot(all(d$arm %in% arms))
  pairs <- d[!is.na(d$baseline) & !is.na(d$followup), ]
  if (any(pairs$baseline == 0)) stop(spec$name, ": baseline 0, percent change undefined")
  pairs$change <- pairs$followup - pairs$baseline
  pairs$pchange <- 100 * (pairs$followup - pairs$baseline) / abs(pairs$baseline)
  chg <- lapply(setNames(arms, arms), function(a) pairs$change[pairs$arm == a])

  arm_out <- lapply(setNames(arms, arms), function(a) {
    p <- pairs[pairs$arm == a, ]
    tt <- t.test(p$change)
    list(n_pairs = nrow(p), missing_pairs = unname(missing[a]),
         baseline = summ(p$baseline), followup = summ(p$followup), change = summ(p$change),
         percent_change = summ(p$pchange),
         paired_t = t_entry(tt, unname(tt$estimate)),
         standardized = dz_entries(paste0("d_z, arm ", a), p$change),
         signed_rank = wilcox_entry(paste0("signed rank, arm ", a), p$change))
  })

  # ANCOVA: one model on all arms, complete cases of baseline, follow-up and covariates.
  md <- d[complete.cases(d[, c("baseline", "followup", spec$covariates)]), ]
  md$arm <- factor(md$arm, levels = arms)
  covs <- ifelse(spec$covariates %in% factor_covs, paste0("factor(", spec$covariates, ")"),
                 spec$covariates)
  m <- with_warnings("ancova", lm(reformulate(c("arm", "baseline", covs), response = "followup"),
                                  data = md))
  if (anyNA(coef(m))) stop(spec$name, ": rank-deficient ANCOVA")
  cf <- summary(m)$coefficients

  comps <- lapply(spec$treatments, function(a) {
    x <- chg[[a]]; y <- chg[[spec$control]]
    w <- t.test(x, y)                                   # Welch (var.equal = FALSE)
    term <- paste0("arm", a)
    ci <- confint(m, term, level = 0.95)
    list(treatment = a, control = spec$control,
         welch = t_entry(w, unname(w$estimate[1] - w$estimate[2])),
         pooled = {p <- t.test(x, y, var.equal = TRUE); t_entry(p, unname(p$estimate[1] - p$estimate[2]))},
         hedges_g = hedges_entry(paste0("hedges_g, ", a), x, y),
         hedges_g_percent = hedges_entry(paste0("hedges_g percent change, ", a),
                                         pairs$pchange[pairs$arm == a],
                                         pairs$pchange[pairs$arm == spec$control]),
         mann_whitney = wilcox_entry(paste0("rank sum, ", a, " vs ", spec$control), x, y),
         ancova = list(estimate = json_num(cf[term, 1]), se = json_num(cf[term, 2]),
                       statistic = json_num(cf[term, 3]), df = m$df.residual,
                       p_value = json_num(cf[term, 4]), lower = json_num(ci[1]),
                       upper = json_num(ci[2]), n = nobs(m)))
  })

  # Console summary.
  cat(sprintf("%s\n", spec$name))
  for (a in arms) cat(sprintf("  arm %-22s n_pairs %3d  missing %3d  mean change %.4f\n", a,
                              arm_out[[a]]$n_pairs, arm_out[[a]]$missing_pairs, mean(chg[[a]])))
  for (i in seq_along(comps)) {
    a <- spec$treatments[i]
    cat(sprintf("  %s - %s: welch %.4f  ancova %.4f [%.4f, %.4f] p %.4g (n %d)\n", a, spec$control,
                mean(chg[[a]]) - mean(chg[[spec$control]]), cf[paste0("arm", a), 1],
                confint(m)[paste0("arm", a), 1], confint(m)[paste0("arm", a), 2],
                cf[paste0("arm", a), 4], nobs(m)))
  }

  list(case = list(name = spec$name, file = spec$file, arm_column = spec$arm_column,
                   control = spec$control, baseline = spec$baseline, followup = spec$followup,
                   covariates = I(spec$covariates), filter = spec$filter,
                   arms = arm_out, comparisons = comps),
       pairs = pairs, model = m, model_data = md, chg = chg)
}

# Wide file (one row per subject): missing_pairs = rows of the arm with either value missing.
wide_case <- function(spec) {
  raw <- read_data(spec$file)
  d <- data.frame(arm = as.character(raw[[spec$arm_column]]),
                  baseline = as.numeric(raw[[spec$baseline]]), followup = as.numeric(raw[[spec$followup]]))
  for (v in spec$covariates) d[[v]] <- as.numeric(raw[[v]])
  miss <- is.na(d$baseline) | is.na(d$followup)
  arms <- c(spec$control, spec$treatments)
  missing <- sapply(setNames(arms, arms), function(a) sum(miss & d$arm == a))
  analyse(spec, d, missing)
}

run_case <- function(fun) {
  case_warnings <<- character(0)
  out <- fun()
  out$case$warnings <- I(case_warnings)
  if (length(case_warnings)) cat(paste0("  warning: ", case_warnings, "\n"), sep = "")
  out
}

cases <- list()

# --- Acupuncture headache trial -----------------------------------------------------------------
headache_spec <- function(name, covs) list(
  name = name, file = "datasets/acupuncture_headache/acupuncture_headache.csv", arm_column = "group",
  control = "0", treatments = "1", baseline = "pk1", followup = "pk5", covariates = covs, filter = NULL)

r <- run_case(function() wide_case(headache_spec("headache", c("age", "sex", "migraine", "chronicity"))))
# BMJ 2004 / PROVENANCE.md: n 140 control / 161 acupuncture with pk5 (all have pk1); ANCOVA with
# pk1 + age + sex + migraine + chronicity: -4.64 (-7.08 to -2.20), p = 0.0002.
check("headache n_pairs control / acupuncture", c(r$case$arms[["0"]]$n_pairs, r$case$arms[["1"]]$n_pairs),
      c(140, 161))
ci <- confint(r$model, "arm1")
check("headache ANCOVA (covariates) estimate, CI", c(coef(r$model)[["arm1"]], ci), c(-4.64, -7.08, -2.20), 2)
check("headache ANCOVA (covariates) p", summary(r$model)$coefficients["arm1", 4], 0.0002, 4)
cases[[length(cases) + 1]] <- r$case

r <- run_case(function() wide_case(headache_spec("headache_nocov", character(0))))
# PROVENANCE.md: ANCOVA with pk1 only: -4.59 (-7.05 to -2.12), p = 0.0003.
ci <- confint(r$model, "arm1")
check("headache ANCOVA (pk1 only) estimate, CI", c(coef(r$model)[["arm1"]], ci), c(-4.59, -7.05, -2.12), 2)
check("headache ANCOVA (pk1 only) p", summary(r$model)$coefficients["arm1", 4], 0.0003, 4)
cases[[length(cases) + 1]] <- r$case

# --- OPT trial, serum IL-6 --------------------------------------------------------------------------
r <- run_case(function() wide_case(list(
  name = "opt_il6", file = "datasets/opt/opt.csv", arm_column = "Group", control = "C", treatments = "T",
  baseline = "O61", followup = "O65", covariates = character(0), filter = NULL)))
# J Periodontol 2009 / PROVENANCE.md: both values for 302 T and 318 C; median IL-6 4.9 at both visits.
check("opt_il6 n_pairs T / C", c(r$case$arms[["T"]]$n_pairs, r$case$arms[["C"]]$n_pairs), c(302, 318))
check("opt_il6 medians (C base, C fu, T base, T fu)",
      with(r$pairs, c(median(baseline[arm == "C"]), median(followup[arm == "C"]),
                      median(baseline[arm == "T"]), median(followup[arm == "T"]))), rep(4.9, 4))
cases[[length(cases) + 1]] <- r$case

# --- CDISC pilot 01, ADAS-Cog(11), ADaM BDS (long) --------------------------------------------------
r <- run_case(function() {
  spec <- list(name = "cdisc_adas", file = "datasets/cdisc_pilot01/adqsadas_actot.csv", arm_column = "TRTP",
               control = "Placebo", treatments = c("Xanomeline Low Dose", "Xanomeline High Dose"),
               baseline = "Baseline", followup = "Week 24", covariates = "SITEGR1",
               filter = 'EFFFL == "Y" & ANL01FL == "Y"')
  raw <- read_data(spec$file)
  stopifnot(all(raw$PARAMCD == "ACTOT"))
  q <- raw[raw$EFFFL %in% "Y" & raw$ANL01FL %in% "Y", ]       # %in%: NA flags are not "Y"
  q <- q[q$AVISIT %in% c(spec$baseline, spec$followup), ]
  dup <- duplicated(q[, c("USUBJID", "AVISIT")])
  if (any(dup)) stop("cdisc_adas: more than one row per subject and visit: ",
                     paste(unique(q$USUBJID[dup]), collapse = ", "))
  # Subject-level attributes must be constant within subject.
  for (v in c("TRTP", "SITEGR1"))
    if (any(tapply(q[[v]], q$USUBJID, function(z) length(unique(z))) != 1))
      stop("cdisc_adas: ", v, " varies within a subject")
  b <- q[q$AVISIT == spec$baseline, ]
  f <- q[q$AVISIT == spec$followup, ]
  ids <- sort(unique(q$USUBJID))
  d <- data.frame(
    USUBJID = ids,
    arm = q$TRTP[match(ids, q$USUBJID)],
    baseline = b$AVAL[match(ids, b$USUBJID)],
    followup = f$AVAL[match(ids, f$USUBJID)],
    SITEGR1 = as.character(q$SITEGR1[match(ids, q$USUBJID)]))   # pooled site: categorical
  # Baseline from the Baseline row must equal BASE of the Week 24 row.
  both <- !is.na(d$baseline) & !is.na(d$followup)
  base24 <- f$BASE[match(d$USUBJID, f$USUBJID)]
  mism <- both & (is.na(base24) | base24 != d$baseline)
  if (any(mism)) cat("  NOTE: Baseline AVAL != Week 24 BASE for", paste(d$USUBJID[mism], collapse = ", "), "\n")
  arms <- c(spec$control, spec$treatments)
  missing <- sapply(setNames(arms, arms), function(a) sum(!both & d$arm == a))
  out <- analyse(spec, d, missing, factor_covs = "SITEGR1")
  out$case$base_column_mismatches <- sum(mism)
  # The Week 24 CHG column must be the change computed here.
  chg24 <- f$CHG[match(out$pairs$USUBJID, f$USUBJID)]
  if (!isTRUE(all.equal(chg24, out$pairs$change, tolerance = 1e-12))) cat("  NOTE: CHG differs from AVAL - BASE\n")
  out
})
# PROVENANCE.md: n 79 / 81 / 74, mean change 2.54 / 2.00 / 1.47; ANCOVA CHG ~ TRTP + SITEGR1 + BASE:
# low - placebo -0.47 (p = 0.569), high - placebo -1.01 (p = 0.233).
arms_cd <- c("Placebo", "Xanomeline Low Dose", "Xanomeline High Dose")
check("cdisc_adas n_pairs placebo / low / high", sapply(arms_cd, function(a) r$case$arms[[a]]$n_pairs),
      c(79, 81, 74))
check("cdisc_adas mean change placebo / low / high", sapply(arms_cd, function(a) mean(r$chg[[a]])),
      c(2.54, 2.00, 1.47), 2)
cf <- summary(r$model)$coefficients
check("cdisc_adas ANCOVA low - placebo estimate, p", cf["armXanomeline Low Dose", c(1, 4)], c(-0.47, 0.569), c(2, 3))
check("cdisc_adas ANCOVA high - placebo estimate, p", cf["armXanomeline High Dose", c(1, 4)], c(-1.01, 0.233), c(2, 3))
# The same coefficient with the change as outcome (baseline in the model).
m_chg <- lm(I(followup - baseline) ~ arm + baseline + factor(SITEGR1), data = r$model_data)
check("cdisc_adas ANCOVA on change = on follow-up (arm coefficients)",
      max(abs(coef(m_chg)[2:3] - coef(r$model)[2:3])) < 1e-10, TRUE)
cases[[length(cases) + 1]] <- r$case

res <- list(
  generated_by = "tests/reference/change.R",
  versions = pkg_versions(c("stats", "effectsize", "jsonlite")),
  cases = cases
)
write_pretty_json(res, "tests/reference/change.json", json_verbatim = TRUE, null = "null")
cat("wrote tests/reference/change.json\n")
