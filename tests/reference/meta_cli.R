# Reference values for the meta-analysis command-line cases (src/stats/meta.rs through the CLI):
# five worked analyses of metadat data sets as R's metafor (Debian r-cran-metafor 3.8-1, R 4.2.2)
# computes them with escalc / rma.uni / rma.mh / predict.rma / confint.rma.uni.
#
# Run from the repository root:  Rscript tests/reference/meta_cli.R
# Writes (deterministically: two runs give byte-identical files)
#   tests/reference/meta_cli.json     (every number with 17 significant digits via jnum of
#                                      lib/common.R; NA/NaN -> null, +-Inf -> "Infinity"),
#   tests/reference/meta_ci_input.csv (case bcg_from_ci's input as a paper prints it: header
#                                      "author,year,rr,lower,upper", values "%.2f", "\n" endings).
# The metadat CSVs are read from $METADAT_DIR, else datasets/metadat/, else
# /work/shared/datasets/metadat/. Inputs are copied into the JSON, so tests need not read the CSVs
# (except meta_ci_input.csv, which is the CLI's input for bcg_from_ci).
#
# ---- TIGHT control convention (as in meta.R / meta_more.R) ---------------------------------------
# metafor's REML (Fisher scoring) stops when |change in tau2| <= threshold = 1e-5, which leaves
# tau2 up to ~1e-5 from the maximum. Every REML fit here is therefore recorded "tight":
#   def   <- rma(..., method = "REML")                                   (defaults; only its tau2
#                                                                         is used, recorded as
#                                                                         default_tau2)
#   TIGHT <- list(threshold = 1e-10 * max(1, def$tau2), maxiter = 10000)
#   res   <- rma(..., method = "REML", control = TIGHT)                  (recorded)
# (the test argument -- z or knha -- is the same in def and res; it does not change tau2).
# DL and FE are closed-form (no control). confint() of a tight fit uses control = list(tol =
# 1e-12) (metafor's default uniroot tol is 2^-13 = 1.2e-4).
#
# ---- Cases and exact calls (level 95 throughout; b / CI / PI on the log scale for RR) -----------
# 1. dong2013_tiohh_placebo -- dat_dong2013.csv is long (id, treatment, death, randomized). The
#    studies having both a "TIO-HH" row and a "Placebo" row, in order of first appearance of id
#    (study 13 has a third, LABA, arm which is ignored): ai/n1i = TIO-HH death/randomized,
#    ci/n2i = Placebo death/randomized.
#      es  <- escalc("RR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, drop00 = TRUE)
#             (double-zero studies -> yi/vi NA; recorded as escalc.dropped_ids)
#      kept = studies with non-NA yi (the fits below are given only those rows, so rma() emits no
#             "Studies with NAs omitted" warning)
#      reml_tight: rma(yi, vi, method = "REML", control = TIGHT)    on kept
#      fe:         rma(yi, vi, method = "FE")                       on kept
#      mh:         rma.mh(measure = "RR", ai = ai, n1i = n1i, ci = ci, n2i = n2i)  on ALL studies
#                  (double-zero included; rma.mh's own defaults add = c(1/2, 0), to = c("only0",
#                  "none"), drop00 = c(TRUE, FALSE): the MH estimate uses the raw tables, where a
#                  0/0 table contributes nothing for RR, and Q uses escalc with drop00 = TRUE, so
#                  k = all studies, k.yi = non-double-zero studies)
#      confint:    confint(reml_tight, control = list(tol = 1e-12))  (Q-profile; tau2, tau, I2, H2
#                  rows, each {estimate, ci.lb, ci.ub}, plus ci.null / lb.sign / ub.sign)
# 2. bcg_from_ci -- dat_bcg.csv: es <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg).
#    meta_ci_input.csv gets author, year and rr = exp(yi), lower = exp(yi - qnorm(0.975) sqrt(vi)),
#    upper = exp(yi + qnorm(0.975) sqrt(vi)), each written with sprintf("%.2f") (as papers print
#    them). The reference then reads that CSV back and uses the ROUNDED values:
#      yi = log(rr); sei = (log(upper) - log(lower)) / (2 qnorm(0.975)); vi = sei^2
#      reml_tight: rma(yi, sei = sei, method = "REML", control = TIGHT)
#      predict:    predict(reml_tight) -> pi.lb, pi.ub (metafor 3.8-1: normal quantile for a z fit),
#                  pi_df (null = normal)
#      pi_t_lb / pi_t_ub (by hand, the Higgins et al. k-2 interval):
#                  b -+ qt(0.975, k - 2) * sqrt(se^2 + tau2)   (b, se, tau2 of reml_tight)
# 3. normand_smd_hksj -- dat_normand1999.csv:
#      es <- escalc("SMD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i)
#            (Hedges' g with the exact J; vtype "LS")
#      knha: rma(yi, vi, method = "REML", test = "knha", control = TIGHT)
#            -> b, se, ci.lb, ci.ub, tval (= metafor's res$zval), dfs, pval, tau2, s2w, I2, H2
#      knha.predict: predict(knha) -> pi.lb, pi.ub, pi_df (res$pi.ddf: metafor uses t with k-1 df
#            under knha, i.e. 8)
# 4. linde2005_rr -- dat_linde2005.csv (26 rows; rows 5 and 26 have empty ai/n1i/ci/n2i):
#      es <- escalc("RR", ai = ai, n1i = n1i, ci = ci, n2i = n2i)   (all 26 rows; defaults, so
#            drop00 = FALSE: the 0/22 vs 0/23 study (row 6, Osterheider) is KEPT with 1/2 added)
#      escalc gives NA yi/vi for the empty rows WITHOUT a warning; rma() then omits them with the
#      warning "Studies with NAs omitted from model fitting." (recorded verbatim in
#      reml_tight.warnings; escalc.warnings is empty). escalc.dropped_rows = 1-based rows omitted.
#      reml_tight: rma(yi, vi, method = "REML", control = TIGHT)  on all 26 rows (24 used)
# 5. lee2004_dl_hksj_adhoc -- dat_lee2004.csv:
#      es <- escalc("RR", ai = ai, n1i = n1i, ci = ci, n2i = n2i)
#      dl_adhoc: rma(yi, vi, method = "DL", test = "adhoc")  (Knapp-Hartung with s2w <- max(1, s2w);
#                supported by metafor 3.8-1) -> b, se, ci.lb, ci.ub, tval (res$zval), dfs, pval,
#                s2w (the value after max(1, .)), tau2, I2, H2
#      dl_knha:  rma(yi, vi, method = "DL", test = "knha")  (same fields; for comparison)
#
# ---- meta_cli.json -------------------------------------------------------------------------------
# { "meta": {generated_by, r_version, metafor, jsonlite, tight_control, note},
#   "cases": {
#     "<name>": { "description", "source", "measure",
#                 "study" (labels / ids), "data" (inputs per study),
#                 "escalc": {call, yi, vi, [dropped_ids | dropped_rows], warnings},
#                 <fit objects>: {call, control?, default_tau2?, k, b, se, ci.lb, ci.ub,
#                                 zval | tval, [dfs], pval, tau2, I2, H2, QE, QEp, [s2w],
#                                 warnings, [predict]},
#                 ... } } }
# A fit that errors is recorded as {call, error, warnings}.

suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})
source(file.path("tests", "reference", "lib", "common.R"))   # to_json, arr, sarr, jnum, pkg_version

num <- function(x) if (is.null(x)) NA_real_ else as.numeric(x)
Z975 <- qnorm(0.975)

metadat_dir <- local({
  cand <- c(Sys.getenv("METADAT_DIR"), file.path("datasets", "metadat"),
            "/work/shared/datasets/metadat")
  cand <- cand[nzchar(cand) & dir.exists(cand)]
  if (length(cand) == 0) stop("metadat CSV directory not found (set METADAT_DIR)")
  cand[1]
})
read_metadat <- function(file) read.csv(file.path(metadat_dir, file), stringsAsFactors = FALSE)
out_dir <- file.path("tests", "reference")

# Run f(args) capturing warnings verbatim; an error is returned as the condition.
run_mf <- function(f, args) {
  ws <- character(0)
  res <- tryCatch(withCallingHandlers(do.call(f, args), warning = function(w) {
      ws <<- c(ws, conditionMessage(w)); invokeRestart("muffleWarning")
    }), error = function(e) e)
  list(res = res, warnings = ws)
}
must <- function(r, where) {
  if (inherits(r$res, "error")) stop(sprintf("%s: %s", where, conditionMessage(r$res)))
  r
}

# Record of an rma.uni fit. t_test: the fit uses knha/adhoc (zval recorded as tval, with dfs).
fit_record <- function(r, call, control = NULL, default_tau2 = NULL) {
  if (inherits(r$res, "error"))
    return(list(call = call, error = conditionMessage(r$res), warnings = sarr(r$warnings)))
  res <- r$res
  t_test <- res$test %in% c("knha", "adhoc", "t")
  out <- list(call = call)
  if (!is.null(control)) out$control <- control
  if (!is.null(default_tau2)) out$default_tau2 <- default_tau2
  out <- c(out, list(method = res$method, test = res$test, k = res$k,
                     b = num(res$b), se = num(res$se), ci.lb = num(res$ci.lb),
                     ci.ub = num(res$ci.ub)))
  if (t_test) out$tval <- num(res$zval) else out$zval <- num(res$zval)
  if (t_test) out$dfs <- num(res$dfs)
  out <- c(out, list(pval = num(res$pval), tau2 = num(res$tau2), I2 = num(res$I2),
                     H2 = num(res$H2), QE = num(res$QE), QEp = num(res$QEp)))
  if (t_test) out$s2w <- num(res$s2w)
  out$warnings <- sarr(r$warnings)
  out
}

predict_record <- function(res) {
  p <- must(run_mf(predict, list(res)), "predict")
  list(pred = num(p$res$pred), se = num(p$res$se), ci.lb = num(p$res$ci.lb),
       ci.ub = num(p$res$ci.ub), pi.lb = num(p$res$pi.lb), pi.ub = num(p$res$pi.ub),
       pi_df = num(p$res$pi.ddf), warnings = sarr(p$warnings))
}

# Default REML fit (for its tau2), then the TIGHT refit. args: rma arguments without method /
# control. Returns list(record, res).
reml_tight <- function(args, call) {
  def <- must(run_mf(rma, c(args, list(method = "REML"))), paste(call, "(default)"))
  ctrl <- list(threshold = 1e-10 * max(1, def$res$tau2), maxiter = 10000)
  r <- must(run_mf(rma, c(args, list(method = "REML", control = ctrl))), call)
  list(record = fit_record(r, call, control = ctrl, default_tau2 = num(def$res$tau2)),
       res = r$res)
}

confint_record <- function(res, call) {
  r <- run_mf(confint, list(res, control = list(tol = 1e-12)))
  if (inherits(r$res, "error"))
    return(list(call = call, error = conditionMessage(r$res), warnings = sarr(r$warnings)))
  m <- r$res$random
  row <- function(nm) list(estimate = num(m[nm, "estimate"]), ci.lb = num(m[nm, "ci.lb"]),
                           ci.ub = num(m[nm, "ci.ub"]))
  list(call = call, control = list(tol = 1e-12),
       tau2 = row("tau^2"), tau = row("tau"), I2 = row("I^2(%)"), H2 = row("H^2"),
       ci.null = r$res$ci.null, lb.sign = r$res$lb.sign, ub.sign = r$res$ub.sign,
       warnings = sarr(r$warnings))
}

cases <- list()

# ---- 1. dong2013_tiohh_placebo --------------------------------------------------------------------
local({
  d <- read_metadat("dat_dong2013.csv")
  ids <- unique(d$id)
  ids <- ids[vapply(ids, function(i) all(c("TIO-HH", "Placebo") %in% d$treatment[d$id == i]), TRUE)]
  pick <- function(i, trt, col) {
    v <- d[[col]][d$id == i & d$treatment == trt]
    stopifnot(length(v) == 1)
    v
  }
  ai <- vapply(ids, pick, 0, trt = "TIO-HH", col = "death")
  n1i <- vapply(ids, pick, 0, trt = "TIO-HH", col = "randomized")
  ci <- vapply(ids, pick, 0, trt = "Placebo", col = "death")
  n2i <- vapply(ids, pick, 0, trt = "Placebo", col = "randomized")
  e <- must(run_mf(escalc, list(measure = "RR", ai = ai, n1i = n1i, ci = ci, n2i = n2i,
                                drop00 = TRUE)), "dong escalc")
  es <- e$res
  keep <- !is.na(es$yi)
  yi <- as.numeric(es$yi); vi <- as.numeric(es$vi)
  rt <- reml_tight(list(yi = yi[keep], vi = vi[keep]),
                   "rma(yi, vi, method = \"REML\", control = TIGHT) on the non-dropped studies")
  fe <- must(run_mf(rma, list(yi = yi[keep], vi = vi[keep], method = "FE")), "dong FE")
  mh <- must(run_mf(rma.mh, list(measure = "RR", ai = ai, n1i = n1i, ci = ci, n2i = n2i)),
             "dong MH")
  m <- mh$res
  cases$dong2013_tiohh_placebo <<- list(
    description = paste("Dong et al. 2013: tiotropium HandiHaler (TIO-HH) vs placebo, mortality;",
                        "studies with both arms, log risk ratio; double-zero studies dropped by",
                        "escalc(drop00 = TRUE) for the inverse-variance fits, kept for rma.mh"),
    source = "datasets/metadat/dat_dong2013.csv",
    measure = "RR",
    study = arr(ids),
    data = list(ai = arr(ai), n1i = arr(n1i), ci = arr(ci), n2i = arr(n2i)),
    escalc = list(call = "escalc(\"RR\", ai = ai, n1i = n1i, ci = ci, n2i = n2i, drop00 = TRUE)",
                  yi = arr(yi), vi = arr(vi), dropped_ids = arr(ids[!keep]),
                  warnings = sarr(e$warnings)),
    reml_tight = rt$record,
    fe = fit_record(fe, "rma(yi, vi, method = \"FE\") on the non-dropped studies"),
    mh = list(call = "rma.mh(measure = \"RR\", ai = ai, n1i = n1i, ci = ci, n2i = n2i) on all studies",
              k = num(m$k), k.yi = num(m$k.yi), b = num(m$b), se = num(m$se),
              ci.lb = num(m$ci.lb), ci.ub = num(m$ci.ub), zval = num(m$zval), pval = num(m$pval),
              QE = num(m$QE), QEp = num(m$QEp), I2 = num(m$I2), H2 = num(m$H2),
              warnings = sarr(mh$warnings)),
    confint = confint_record(rt$res, "confint(reml_tight, control = list(tol = 1e-12))")
  )
})

# ---- 2. bcg_from_ci ---------------------------------------------------------------------------------
local({
  d <- read_metadat("dat_bcg.csv")
  es <- escalc("RR", ai = d$tpos, bi = d$tneg, ci = d$cpos, di = d$cneg)
  y0 <- as.numeric(es$yi); v0 <- as.numeric(es$vi)
  stopifnot(!any(grepl("[,\"\n]", d$author)))
  rr_s <- sprintf("%.2f", exp(y0))
  lo_s <- sprintf("%.2f", exp(y0 - Z975 * sqrt(v0)))
  up_s <- sprintf("%.2f", exp(y0 + Z975 * sqrt(v0)))
  csv_path <- file.path(out_dir, "meta_ci_input.csv")
  con <- file(csv_path, open = "wb")
  writeLines(c("author,year,rr,lower,upper",
               paste(d$author, d$year, rr_s, lo_s, up_s, sep = ",")), con, sep = "\n")
  close(con)
  # Read the rounded values back (what the CLI sees).
  ci_in <- read.csv(csv_path, stringsAsFactors = FALSE)
  stopifnot(nrow(ci_in) == nrow(d), all(ci_in$lower > 0))
  yi <- log(ci_in$rr)
  sei <- (log(ci_in$upper) - log(ci_in$lower)) / (2 * Z975)
  vi <- sei^2
  rt <- reml_tight(list(yi = yi, sei = sei),
                   "rma(yi, sei = sei, method = \"REML\", control = TIGHT)")
  res <- rt$res
  k <- res$k
  crit <- qt(0.975, k - 2)
  half <- crit * sqrt(num(res$se)^2 + num(res$tau2))
  rec <- rt$record
  rec$predict <- predict_record(res)
  rec$pi_t_df <- k - 2
  rec$pi_t_lb <- num(res$b) - half
  rec$pi_t_ub <- num(res$b) + half
  cases$bcg_from_ci <<- list(
    description = paste("BCG vaccine trials (Colditz et al. 1994) given as RR with 95% CI rounded",
                        "to 2 decimals (meta_ci_input.csv); yi = log(rr), sei from the rounded CI",
                        "limits; REML with normal PI and the k-2 t PI"),
    source = "datasets/metadat/dat_bcg.csv -> tests/reference/meta_ci_input.csv",
    measure = "RR",
    study = sarr(paste(d$author, d$year)),
    csv = "tests/reference/meta_ci_input.csv",
    data = list(author = sarr(ci_in$author), year = arr(ci_in$year), rr = arr(ci_in$rr),
                lower = arr(ci_in$lower), upper = arr(ci_in$upper)),
    exact = list(call = "escalc(\"RR\", ai = tpos, bi = tneg, ci = cpos, di = cneg)",
                 yi = arr(y0), vi = arr(v0)),
    escalc = list(call = paste("yi = log(rr); sei = (log(upper) - log(lower)) /",
                               "(2 * qnorm(0.975)); vi = sei^2 (rounded CSV values)"),
                  yi = arr(yi), sei = arr(sei), vi = arr(vi), warnings = sarr(character(0))),
    reml_tight = rec
  )
})

# ---- 3. normand_smd_hksj ----------------------------------------------------------------------------
local({
  d <- read_metadat("dat_normand1999.csv")
  e <- must(run_mf(escalc, list(measure = "SMD", m1i = d$m1i, sd1i = d$sd1i, n1i = d$n1i,
                                m2i = d$m2i, sd2i = d$sd2i, n2i = d$n2i)), "normand escalc")
  yi <- as.numeric(e$res$yi); vi <- as.numeric(e$res$vi)
  rt <- reml_tight(list(yi = yi, vi = vi, test = "knha"),
                   "rma(yi, vi, method = \"REML\", test = \"knha\", control = TIGHT)")
  rec <- rt$record
  rec$predict <- predict_record(rt$res)
  cases$normand_smd_hksj <<- list(
    description = paste("Normand 1999 stroke units, length of stay: Hedges' g (SMD), REML with",
                        "Knapp-Hartung (knha) test and prediction interval"),
    source = "datasets/metadat/dat_normand1999.csv",
    measure = "SMD",
    study = sarr(d$source),
    data = list(m1i = arr(d$m1i), sd1i = arr(d$sd1i), n1i = arr(d$n1i), m2i = arr(d$m2i),
                sd2i = arr(d$sd2i), n2i = arr(d$n2i)),
    escalc = list(call = paste("escalc(\"SMD\", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i,",
                               "sd2i = sd2i, n2i = n2i)"),
                  yi = arr(yi), vi = arr(vi), warnings = sarr(e$warnings)),
    knha = rec
  )
})

# ---- 4. linde2005_rr --------------------------------------------------------------------------------
local({
  d <- read_metadat("dat_linde2005.csv")
  e <- must(run_mf(escalc, list(measure = "RR", ai = d$ai, n1i = d$n1i, ci = d$ci, n2i = d$n2i)),
            "linde escalc")
  yi <- as.numeric(e$res$yi); vi <- as.numeric(e$res$vi)
  rt <- reml_tight(list(yi = yi, vi = vi),
                   "rma(yi, vi, method = \"REML\", control = TIGHT) on all 26 rows")
  cases$linde2005_rr <<- list(
    description = paste("Linde et al. 2005 St John's wort vs placebo, response: log risk ratio;",
                        "26 rows, 2 without counts (NA yi/vi, omitted by rma with a warning)"),
    source = "datasets/metadat/dat_linde2005.csv",
    measure = "RR",
    study = sarr(d$study),
    data = list(ai = arr(d$ai), n1i = arr(d$n1i), ci = arr(d$ci), n2i = arr(d$n2i)),
    escalc = list(call = "escalc(\"RR\", ai = ai, n1i = n1i, ci = ci, n2i = n2i)",
                  yi = arr(yi), vi = arr(vi), dropped_rows = arr(which(is.na(yi))),
                  warnings = sarr(e$warnings)),
    reml_tight = rt$record
  )
})

# ---- 5. lee2004_dl_hksj_adhoc -----------------------------------------------------------------------
local({
  d <- read_metadat("dat_lee2004.csv")
  e <- must(run_mf(escalc, list(measure = "RR", ai = d$ai, n1i = d$n1i, ci = d$ci, n2i = d$n2i)),
            "lee escalc")
  yi <- as.numeric(e$res$yi); vi <- as.numeric(e$res$vi)
  adhoc <- run_mf(rma, list(yi = yi, vi = vi, method = "DL", test = "adhoc"))
  knha <- run_mf(rma, list(yi = yi, vi = vi, method = "DL", test = "knha"))
  cases$lee2004_dl_hksj_adhoc <<- list(
    description = paste("Lee & Done 2004 acupoint stimulation (P6) vs sham, nausea: log risk",
                        "ratio, DerSimonian-Laird with the ad hoc Knapp-Hartung test",
                        "(s2w floored at 1)"),
    source = "datasets/metadat/dat_lee2004.csv",
    measure = "RR",
    study = sarr(paste(d$study, d$year)),
    data = list(ai = arr(d$ai), n1i = arr(d$n1i), ci = arr(d$ci), n2i = arr(d$n2i)),
    escalc = list(call = "escalc(\"RR\", ai = ai, n1i = n1i, ci = ci, n2i = n2i)",
                  yi = arr(yi), vi = arr(vi), warnings = sarr(e$warnings)),
    dl_adhoc = fit_record(adhoc, "rma(yi, vi, method = \"DL\", test = \"adhoc\")"),
    dl_knha = fit_record(knha, "rma(yi, vi, method = \"DL\", test = \"knha\")")
  )
})

meta <- list(
  generated_by = "tests/reference/meta_cli.R",
  r_version = R.version.string,
  metafor = pkg_version("metafor"),
  jsonlite = pkg_version("jsonlite"),
  tight_control = paste("REML fits: control = list(threshold = 1e-10 * max(1, tau2 of the default",
                        "REML fit), maxiter = 10000); confint: control = list(tol = 1e-12)"),
  note = paste("metafor 3.8-1 escalc / rma.uni / rma.mh / predict.rma / confint.rma.uni, level 95;",
               "see the header of meta_cli.R for every call. b, CI and PI on the analysis scale",
               "(log RR for RR: exp() them). 17 significant digits; NA/NaN -> null.")
)
con <- file(file.path(out_dir, "meta_cli.json"), open = "wb")
writeLines(to_json(list(meta = meta, cases = cases)), con, sep = "\n")
close(con)
