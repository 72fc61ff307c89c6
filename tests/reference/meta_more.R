# Reference values for the meta-analysis module, second part (src/stats/meta.rs): leave-one-out
# and cumulative meta-analysis, meta-regression on one moderator, subgroup analysis with the test
# for subgroup differences, Egger's regression test and trim-and-fill, as R's metafor (Debian
# r-cran-metafor 3.8-1, R 4.2.2) computes them with leave1out / cumul / rma.uni (mods) / regtest /
# trimfill; plus a generated set of 1000 studies (fit, Q-profile CI; leave1out and cumul only
# with META_MORE_SLOW=1) with R's run times for a benchmark comparison.
#
# Run from the repository root:  Rscript tests/reference/meta_more.R   (~1 min with the default
# META_MORE_SLOW=0). Writes into the output directory (default tests/reference):
#   meta_more.json (deterministic: two runs with the same META_MORE_SLOW give byte-identical
#     files),
#   meta_more_timing.json (R's run times for the 1000-study set; varies run to run),
#   meta_gen1000.csv (the gen_1000 input for command-line tools: header "study,yi,vi", one row
#     per study in case order, labels S1..S1000, yi / vi with sprintf("%.17g") -- the identical
#     doubles of meta_more.json's gen_1000 yi / vi; "\n" line endings; deterministic).
# Environment (all optional):
#   META_MORE_OUT_DIR (output directory, default tests/reference; created if missing -- use it for
#     a slow run so the committed files are not overwritten, e.g. META_MORE_SLOW=1
#     META_MORE_OUT_DIR=/tmp/meta_more_slow nice -n 19 Rscript tests/reference/meta_more.R),
#   META_MORE_SLOW (0 = default: skip leave1out / cumul of the 1000 studies; then gen_1000 has no
#     results.leave1out / results.cumul, meta.gen_1000_slow says "omitted", and
#     meta_more_timing.json records those two operations as {call, skipped: true, reason};
#     1 = run them: with Debian's reference BLAS one metafor REML fit on k = 1000 takes ~4.5 s
#     because rma.uni builds k x k matrices (P %*% P is O(k^3)), so leave1out takes ~75 min and
#     cumul ~20 min per repetition),
#   META_MORE_REPS (timing repetitions of the fast operations, default 3 -> median of 3),
#   META_MORE_SLOW_REPS (repetitions of leave1out / cumul when META_MORE_SLOW=1, default 1; 3 for
#     a median of 3, ~5 h).
# Every number is written with 17 significant digits (jnum of lib/common.R); NA/NaN -> null,
# +-Inf -> "Infinity"/"-Infinity".
#
# ---- Inputs ----------------------------------------------------------------------------------------
# The effect sizes are read from tests/reference/meta.json (jsonlite::fromJSON; its numbers are
# 17-significant-digit texts, which parse back to the identical doubles): escalc yi / vi and study
# labels of the cases bcg_rr (log RR, 13 studies), lee2004_rr (log RR, 16) and normand1999_smd
# (Hedges' g, 9), so they are exactly the inputs of meta.R's fits. Only the moderators come from the
# metadat CSVs ($METADAT_DIR, else datasets/metadat/, else /work/shared/datasets/metadat/):
# dat_bcg.csv ablat (absolute latitude), alloc (random / alternate / systematic), year;
# dat_lee2004.csv year (recorded only; lee's cumul uses file order). The script checks that the CSV
# rows line up with meta.json (same study labels; bcg escalc("RR") from the CSV counts identical to
# meta.json's yi/vi). Every input (yi, vi, study, moderators, cumul order) is written into
# meta_more.json, so tests read no CSV.
#
# The formulas below were read from the metafor source at tag v3.8-1 (github wviechtb/metafor,
# commit b61bf087aa0d: R/leave1out.rma.uni.r, R/cumul.rma.uni.r, R/rma.uni.r, R/regtest.r,
# R/trimfill.rma.uni.r); the installed functions leave1out, leave1out.rma.uni, cumul,
# cumul.rma.uni, rma.uni, regtest, trimfill, trimfill.rma.uni were checked to be identical to that
# tag (deparsed bodies). As in meta.R, the script re-derives every recorded number with an
# independent R implementation (bh_*: sums for intercept-only models, explicit matrices for
# meta-regression; the same start values, updates, step halving and stopping rule) and stops if
# any differs by more than 1e-9 relative (|a - b| <= 1e-9 max(1, |b|)); Fisher-scoring iteration
# counts, trim-and-fill k0 sequences, sides and filled studies must match exactly. Observed max
# difference: meta.by_hand_max_rel_diff in the JSON (~1e-13).
#
# ---- Calls (metafor defaults unless shown; level 95; "z" tests) ---------------------------------
# For each case and M in REML, DL (and FE where listed):
#   res <- rma(yi, vi, method = M, slab = study)
#   "REML_tight": res <- rma(yi, vi, method = "REML", slab = study, control = TIGHT) with
#     TIGHT = list(threshold = 1e-10 max(1, tau2 of the default REML fit), maxiter = 10000), the
#     convention of meta.R's "tight" fits (metafor's default stops REML at |change in tau2| <=
#     1e-5, which leaves tau2 off by up to ~1e-5; an implementation that iterates to convergence
#     should compare with the tight entries at 1e-9 and with the default ones at ~1e-5).
#   leave1out(res)                           -> results.leave1out.<M>          (REML, DL, REML_tight)
#   cumul(res, order = ORDER)                -> results.cumul.<M>              (REML, DL, REML_tight)
#     ORDER: bcg year; lee2004 and normand file order (cumul's default, order = 1:k).
#   regtest(res) and regtest(res, model = "lm")  -> results.regtest.<M>.rma / .lm
#                                                                  (REML, DL, FE, REML_tight)
#   trimfill(res) (estimator "L0", side NULL = estimated, maxiter 100)  -> results.trimfill.<M>
#     (REML, DL, FE; REML_tight = trimfill(res_tight, control = TIGHT): trimfill passes only `...`
#     on to its internal rma.uni calls, NOT res$control); trimfill(res, verbose = TRUE) prints the
#     k0 of each iteration (recorded as k0_trace).
# bcg only:
#   meta-regression: rma(yi, vi, mods = ~ ablat, method = M, test = T) for (M, T) in (REML, z),
#     (REML, knha), (DL, z), (DL, knha), (FE, z), and REML_tight with z and knha  -> results.metareg
#   subgroups by alloc: per level g (alphabetical: alternate (k 2), random (k 7), systematic (k 4))
#     rma(yi[alloc == g], vi[alloc == g], method = M) for M in REML, DL, FE, REML_tight;
#     mixed / fixed moderator models rma(yi, vi, mods = ~ factor(alloc), method = M) for M in
#     REML, DL, FE, REML_tight (test z);  -> results.subgroup
# gen_1000 only (k = 1000; RNGkind("Mersenne-Twister", "Inversion", "Rejection");
#   set.seed(20240612); vi <- runif(1000, 0.01, 0.2); yi <- rnorm(1000, 0.2, sqrt(0.1 + vi)),
#   i.e. true tau2 = 0.1; yi/vi stored with 17 digits so the RNG need not be reproduced):
#   res <- rma(yi, vi, method = "REML", slab = study); rma(..., control = TIGHT);
#   confint(res) (Q-profile, tol 2^-13) and confint(res, control = list(tol = 1e-12));
#   only with META_MORE_SLOW=1: leave1out(res); cumul(res) (file order). Only
#   default-tolerance REML for leave1out / cumul
#   (a tight leave1out would take another ~2 h of metafor); on this set the full default fit's
#   tau2 is 2.5e-7 (relative) from the tight one (results.fit.default_vs_tight), so compare an
#   implementation that iterates to convergence with these at ~1e-6.
#   Timing (system.time(gcFirst = TRUE): elapsed and user + system CPU seconds, median over the
#   repetitions, load averages before/after) of rma(REML), confint(res), leave1out(res),
#   cumul(res) -> meta_more_timing.json {generated_by, r_version, metafor, blas, lapack,
#   lapack_version, cpu, cores, k, note, slow (META_MORE_SLOW = 1), operations: {rma_reml,
#   confint, leave1out, cumul: {call, skipped, reps, seconds, median, cpu_seconds, cpu_median,
#   loadavg_before_after} or {call, skipped: true, reason}}}.
# Warnings are caught verbatim (none expected; "warnings" arrays).
#
# ---- meta_more.json --------------------------------------------------------------------------------
# { "meta": { generated_by, r_version, metafor, jsonlite, metafor_source, inputs, tight_control,
#             by_hand_max_rel_diff, by_hand_max_rel_diff_where, note,
#             gen_1000_slow ("included: ..." | "omitted: ..."), gen_1000_csv,
#             timing_1000: {file, operations, note} },
#   "cases": [ { "name": "bcg_rr" | "lee2004_rr" | "normand1999_smd" | "gen_1000",
#     "description", "source", "measure" ("RR" = log RR, "SMD" = Hedges' g, "GEN"), "k",
#     "yi", "vi", "study" (arrays, study order = meta.json / file order),
#     "moderators": {ablat, alloc, year} (bcg) | {year} (lee2004) | {} ,
#     "results": {
#       "leave1out": { "<M>": LIST } ,        LIST = {study (label of the study LEFT OUT),
#           estimate, se, zval, pval, ci.lb, ci.ub, Q, Qp, tau2, I2, H2}: arrays of length k,
#           entry i = the fit without study i (metafor's names; "Q"/"Qp" = QE/QEp of that fit)
#       "cumul": { "order_by", "order" (1-based study indices in the order they are added),
#           "<M>": LIST with study = the study ADDED at that step, entry i = fit of the first i
#           studies in that order. (metafor 3.8-1's cumul object names the p value "pvals"; it
#           is written here as "pval".) Step 1 is a k = 1 fit: tau2 0, se sqrt(v), Q 0, Qp 1,
#           I2 0, H2 1 }
#       "regtest": { "<M>": { "rma": {model "rma", predictor "sei", method, test ("z"), zval,
#           pval, dfs (null for z), est, ci.lb, ci.ub (limit estimate = intercept, as sei -> 0),
#           b, se ([intercept, slope on sei]), tau2 (of the regression model), QE, QEp,
#           warnings},  "lm": {model "lm", predictor, tval, pval, dfs, est, ci.lb, ci.ub, b, se,
#           sigma2 (residual variance), warnings} } }
#       "trimfill": { "<M>": { estimator "L0", side, k0, se.k0, side_slope (slope on sqrt(vi)
#           of the side model), iterations, k0_trace (k0 after each iteration), beta_trace (the
#           truncated-data estimate of each iteration, original scale; from the by-hand check,
#           verified against trimfill's verbose print at 4 decimals), filled: {yi, vi,
#           mirrored_study (1-based index of the study each filled one mirrors; by-hand, its vi
#           matches)}, fit: FIT of the filled data set (k = k + k0; the original fit if k0 = 0),
#           warnings } }
#       "metareg" (bcg): [ { moderator "ablat", method, test, control (null | TIGHT), k, p,
#           coef (names), b, se, zval | tval, pval, ci.lb, ci.ub (arrays [intrcpt, ablat]),
#           dfs (k - p for knha, else null), tau2, se.tau2, I2, H2, R2 (percent), vt, QE, QEp,
#           QM, QMdf ([m, null] for z: chi2; [m, k - p] for knha: F), QMp, s2w, iter, warnings } ]
#       "subgroup" (bcg): { variable "alloc", levels, level_of_study (per study),
#           fits: { "<M>": [ FIT per level with "level" ] } (M in REML, DL, FE, REML_tight),
#           q_between_fe: {Q_total, Q_within ([per level]), Q_within_sum, Q_between, df, pval},
#           moderator_models: { "<M>": METAREG record of rma(mods = ~ factor(alloc)) },
#           separate_re_test: { "<M>": {Q, df, pval} } (M in REML, DL, REML_tight),
#           test_of_moderators: text }
#       (gen_1000: leave1out and cumul hold only "REML" and exist only with META_MORE_SLOW=1)
#       "fit" (gen_1000): {REML: FIT + iter, REML_tight: FIT + iter + control,
#           default_vs_tight: {tau2, b} relative differences}
#       "confint" (gen_1000): {type "QP", tol, tau2.min, tau2.max, tau2 / tau / I2 / H2:
#           {estimate, ci.lb, ci.ub}, ci.null, lb.sign, ub.sign, warnings, tight: {tau2, I2, H2}}
#     } } ] }
# FIT (intercept-only rma) = {k, b, se, zval, pval, ci.lb, ci.ub, tau2, se.tau2, I2, H2, vt, QE,
#   QEp}. Estimates are on the analysis scale (log RR, g): exp() for ratios.
#
# ==== Formulas (metafor 3.8-1) =====================================================================
# Notation as in meta.R (whose header documents escalc, the tau2 estimators, se.tau2, the z/knha
# tests, QE, vt, I2, H2 and confint for the intercept-only model; all reused here).
#
# ---- rma.uni with moderators (X = [1, x] k x p, here p = 2 or the 3 alloc dummies) ----------------
# yc = y - mean(y) (centred y for tau2 computations only). For weights w, W = diag(w),
#   P(w) = W - W X (X'WX)^-1 X'W  (k x k);  RSS(w) = yc' P(w) yc.
#   FE:   tau2 = 0.
#   DL:   P = P(1/v); tau2 = max(0, (yc'P yc - (k - p)) / tr P);
#         se.tau2 = sqrt((2(k-p) + 4 tau2 tr P + 2 tau2^2 sum(P*P)) / (tr P)^2).
#   REML: start (HE): P0 = I - X (X'X)^-1 X', tau2 = max(0, (yc'P0 yc - tr(P0 V)) / (k - p)),
#         V = diag(v); then Fisher scoring exactly as meta.R's header with P = P(1/(v + tau2)):
#         adj = (yc'P P yc - tr P) / tr(P P); step halving while tau2 + adj < 0; stop when
#         |change| <= threshold (1e-5; TIGHT: 1e-10 max(1, tau2)); maxiter 100 (TIGHT 10000);
#         se.tau2 = sqrt(2 / sum(P*P)) at the final tau2. (ll0check as in meta.R; never triggered.)
#   Coefficients: w = 1/(v + tau2), b = (X'WX)^-1 X'W y (uncentred y), vb = (X'WX)^-1.
#   test "knha": RSS = sum(w (y - X b)^2); s2w = RSS/(k - p) (0 if RSS <= 2.2e-16; no max(1, .) --
#     that is "adhoc"); vb = s2w vb; dfs = k - p.
#   se = sqrt(diag(vb)); zval = b/se; z: pval = 2 pnorm(-|z|), CI b -+ qnorm(.975) se;
#     knha: tval = b/se, pval = 2 pt(-|t|, k - p), CI b -+ qt(.975, k - p) se.
#   Test of moderators: btt = 2:p (all but the intercept; m = p - 1 coefficients);
#     QM = b[btt]' vb[btt,btt]^-1 b[btt] (Wald; chol2inv(chol())); z: QMdf = (m, NA),
#     QMp = pchisq(QM, m, upper); knha: QM = QM/m, QMdf = (m, k - p), QMp = pf(QM, m, k-p, upper).
#     With one moderator (m = 1) QM = zval[2]^2 (z) / tval[2]^2 (knha) and QMp = pval[2].
#   Residual heterogeneity: P = P(1/v): QE = max(0, yc'P yc), QEp = pchisq(QE, k - p, upper);
#     vt = (k - p)/tr P; random/mixed: I2 = 100 tau2/(vt + tau2), H2 = 1 + tau2/vt (residual);
#     FE: I2 = max(0, 100 (QE - (k-p))/QE), H2 = QE/(k - p).
#   R2 (pseudo R^2, percent; only for models with moderators and an intercept):
#     REML/DL: tau2.RE = tau2 of rma(yi, vi, method = M, test, control) WITHOUT moderators;
#       R2 = 0 if tau2.RE is exactly 0, else max(0, 100 (tau2.RE - tau2)/tau2.RE)  (truncated at
#       0: bcg's alloc model has tau2 0.3615 > 0.3132 -> R2 = 0).
#     FE: R2 = max(0, 100 adjR2) of lm(yi ~ X, weights = 1/vi) = max(0, 100 (1 - (QE/(k-p)) /
#       (Q/(k-1)))), Q = QE of the FE model without moderators (0 if var(yi) is exactly 0).
#
# ---- leave1out.rma.uni -----------------------------------------------------------------------------
#   For i = 1..k: rma.uni(yi, vi, method = res$method, test = res$test, control = res$control,
#   subset = -i) (same weighting/level; no moderators allowed: error "Method only applicable to
#   models without moderators."; k = 1: error "Stopped because k = 1."). Each entry is an ordinary
#   fit of k - 1 studies (yc recentred on those studies), failures -> NA (none here).
#   Columns: estimate = b, se, zval, pval, ci.lb, ci.ub, Q = QE, Qp = QEp, tau2, I2, H2.
# ---- cumul.rma.uni -----------------------------------------------------------------------------
#   ord = order(ORDER) (R's order: ascending, STABLE -- ties keep study order: bcg years 1973
#   (Frimodt-Moller, row 5; Vandiviere, row 7) -> 5 before 7); for i = 1..k: rma.uni on the
#   first i studies of ord (method, test, control of res). Step 1 (k = 1): tau2 = 0 without
#   estimation, b = y, se = sqrt(v), QE 0, QEp 1, I2 0, H2 1 (test forced to z).
#
# ---- regtest (Egger's regression test; model = "rma", predictor = "sei" by default) --------------
#   Fits rma.uni(yi, vi, mods = cbind(intrcpt = 1, sei = sqrt(vi)), intercept = FALSE,
#   method = res$method, test = res$test, control = res$control): a meta-regression of yi on its
#   standard error with the SAME tau2 estimator as res (REML res -> mixed-effects model with REML
#   residual tau2; FE res -> weighted regression with weights 1/vi and known variances).
#   Reported test: zval = zval[2] (slope on sei; a t value with dfs = k - 2 if res$test is knha),
#   pval = pval[2]. Limit estimate: est = b[1] (intercept = prediction at sei = 0), ci.lb/ci.ub =
#   that model's CI of b[1] (z: b -+ 1.96 se).
#   model = "lm" (classical Egger): lm(yi ~ cbind(1, sei) - 1, weights = 1/vi): the same b as the
#   FE regression; sigma2 = sum(w (y - Xb)^2)/(k - 2); se = sqrt(sigma2 diag((X'WX)^-1));
#   tval = b[2]/se[2], pval = 2 pt(-|t|, k - 2), dfs = k - 2; est = b[1], CI b[1] -+ qt(.975, k-2)
#   se[1]. (= rma(..., method = "FE", test = "knha") without the max(1, .).) Independent of res's
#   method.
#
# ---- trimfill.rma.uni (Duval & Tweedie; estimator "L0") --------------------------------------------
#   y, v = the studies used by res (method M = res$method; every internal fit is
#   rma.uni(yi, vi, method = M, ...) with test "z" and metafor's default control unless passed in
#   `...`; res$test and res$control are NOT passed on).
#   1. Side (side = NULL): slope = b[2] of rma.uni(y, v, mods = sqrt(v), method = M) (Egger-type
#      regression with the same estimator); side = "right" if slope < 0, else "left" (slope = 0
#      -> left). The side is where studies are MISSING. "right": work with y := -y.
#   2. Sort ascending: ix = sort(y, index.return = TRUE)$ix (stable); y, v in that order.
#   3. k0 = 0, k0.prev = -1, iter = 0; while k0 != k0.prev:
#        k0.prev = k0; iter += 1 (> 100: error "Trim and fill algorithm did not converge.")
#        beta = b of rma.uni(first k - k0 of the sorted y, v; method M)   (trim the k0 largest)
#        yc = y - beta (ALL k studies); r = rank(|yc|, ties.method = "first");
#        Sr = sum of r over yc > 0 (signed ranks: sign(yc) r; yc = 0 counts as neither)
#        L0 = (4 Sr - k(k + 1)) / (2k - 1)
#        varSr = (k(k+1)(2k+1) + 10 L0^3 + 27 L0^2 + 17 L0 - 18 k L0^2 - 18 k L0 + 6 k^2 L0)/24
#        se.k0 = max(0, 4 sqrt(varSr)/(2k - 1))   (unrounded L0; from the last iteration)
#        k0 = max(0, round(L0))   (L0 = n/(2k-1) with 2k-1 odd is never exactly x.5)
#      (R0: k0 = k - (largest |rank| among negative yc) - 1; Q0: k - 1/2 - sqrt(2k^2 - 4Sr +
#      1/4); not used here.)
#   4. k0 > 0: the k0 largest (in the working direction) studies are mirrored about the LAST
#      iteration's beta: filled yi = 2 beta - y_(j) for j = k-k0+1..k (working scale), i.e. on the
#      original scale 2 mu - yi for "left" and the k0 SMALLEST yi mirrored about mu = -beta for
#      "right"; filled vi = the mirrored study's vi. Final model: rma.uni(c(yi, filled yi),
#      c(vi, filled vi), method = M) (test "z", default control unless passed via `...`), the
#      filled studies appended in the order j = k-k0+1..k. k0 = 0: the result is res itself.
#   Recorded: side, k0, se.k0, the final fit (b, se, z, p, CI, tau2, I2, H2, QE on k + k0).
#
# ---- Subgroup analysis (metafor 3.8-1 has no subgroup function) ----------------------------------
#   Per level g: an ordinary rma(yi, vi, subset = alloc == g, method = M) (own tau2 per subgroup).
#   Test for subgroup differences, three versions:
#   a) q_between_fe: Q_between = Q_total - sum_g Q_within,g with Q = QE of the FE fits (all
#      studies; each subgroup), df = G - 1, p = pchisq(Q_between, G - 1, upper). This equals QM of
#      rma(yi, vi, mods = ~ factor(alloc), method = "FE") (exactly, algebraically; checked).
#   b) moderator_models: rma(yi, vi, mods = ~ factor(alloc), method = "REML") (mixed-effects
#      model, ONE residual tau2 common to all subgroups): QM (Wald chi2, df G - 1) and QMp. This is
#      what metafor prints as "Test of Moderators (coefficients 2:3)" for that model -- the test
#      of subgroup differences in metafor's documentation and Viechtbauer's examples. (metafor
#      prints "Test of Moderators" for ANY model with moderators; for the FE model it is a).)
#   c) separate_re_test: Q of the separately estimated subgroup RE estimates, rma(b_g, se_g^2,
#      method = "FE") QE, df G - 1 (the RevMan / R meta "test for subgroup differences (random
#      effects)", tau2 separate per subgroup). Not a metafor output; recorded for comparison.
#
# ---- Headline numbers (printed at the end of a run) ------------------------------------------------
# bcg REML ablat (metafor's documented example): slope -0.029102 per degree of latitude (se
# 0.007196, z -4.0444, p 5.2e-5), intercept 0.25146, tau2 0.076355, I2 68.39 %, R2 75.62 %,
# QM 16.357 (= z^2), QE 30.733 (df 11); knha: t -3.5483 (F 12.59 on 1, 11 df, p 0.0046).
# trimfill: bcg REML and DL k0 = 1 on the right (REML estimate -0.7145 -> -0.6571, the filled
# study mirrors Vandiviere 1973), FE k0 = 4; lee2004 REML/DL k0 = 1 right, FE 3; normand SMD
# k0 = 0 (side right) for all. regtest (rma, sei): bcg REML z = -0.8033 (p 0.42), FE z = -4.80;
# lee2004 REML z = -2.069 (p 0.039). bcg alloc subgroups: Q_between (FE) 19.87 (df 2, p 4.9e-5)
# vs the REML mixed-model QM 1.77 (p 0.41): the FE test ignores the large heterogeneity.
# gen_1000: REML tau2 0.107889 (3 iterations; tight 0.10788935, 6), b 0.206491, QE 2647.1;
# Q-profile tau2 CI [0.09333, 0.12883]. These agree with metafor's own printout (print(res),
# print(regtest(res)), print(trimfill(res)): "Estimated number of missing studies on the right
# side: 1 (SE = 2.4528)" for bcg REML -- right, because the slope on sei is negative).

suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})
source(file.path("tests", "reference", "lib", "common.R"))   # to_json, arr, sarr, jnum, pkg_version

`%||%` <- function(a, b) if (is.null(a)) b else a
num <- function(x) if (is.null(x) || length(x) == 0) NA_real_ else as.numeric(x)
EPS <- .Machine$double.eps
TOL_CHECK <- 1e-9

out_dir <- Sys.getenv("META_MORE_OUT_DIR", file.path("tests", "reference"))
REPS <- as.integer(Sys.getenv("META_MORE_REPS", "3"))
SLOW <- as.integer(Sys.getenv("META_MORE_SLOW", "0"))
SLOW_REPS <- as.integer(Sys.getenv("META_MORE_SLOW_REPS", "1"))
stopifnot(REPS >= 1, SLOW_REPS >= 1, SLOW %in% c(0L, 1L))
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
stopifnot(dir.exists(out_dir))

metadat_dir <- local({
  cand <- c(Sys.getenv("METADAT_DIR"), file.path("datasets", "metadat"),
            "/work/shared/datasets/metadat")
  cand <- cand[nzchar(cand) & dir.exists(cand)]
  if (length(cand) == 0) stop("metadat CSV directory not found (set METADAT_DIR)")
  cand[1]
})
read_metadat <- function(file) read.csv(file.path(metadat_dir, file), stringsAsFactors = FALSE)

# Run f(args), catching warnings verbatim and printed output (verbose).
run_mf <- function(f, args) {
  ws <- character(0); out <- character(0)
  res <- tryCatch(withCallingHandlers({
      out <- capture.output(val <- do.call(f, args))
      val
    }, warning = function(w) {
      ws <<- c(ws, conditionMessage(w)); invokeRestart("muffleWarning")
    }), error = function(e) e)
  list(res = res, warnings = ws, output = out)
}
must <- function(r, where) {
  if (inherits(r$res, "error")) stop(sprintf("%s: %s", where, conditionMessage(r$res)))
  r
}
# Fisher-scoring iterations from verbose output (first "converged after N" line: the model's own;
# a later one would be R2's model without moderators).
iter_of <- function(out) {
  m <- regmatches(out, regexpr("converged after [0-9]+ iterations", out))
  if (length(m) == 0) return(NA_real_)
  as.numeric(gsub("[^0-9]", "", m[1]))
}

MAXDIFF <- 0; MAXDIFF_WHERE <- ""
check_close <- function(where, got, want, tol = TOL_CHECK, track = TRUE) {
  got <- as.numeric(unlist(got)); want <- as.numeric(unlist(want))
  if (length(got) != length(want))
    stop(sprintf("%s: by-hand length %d vs metafor %d", where, length(got), length(want)))
  if (!identical(is.na(got), is.na(want))) stop(sprintf("%s: NA pattern differs", where))
  ok <- !is.na(want)
  if (!identical(is.infinite(got[ok]), is.infinite(want[ok]))) stop(sprintf("%s: Inf differs", where))
  fin <- ok & is.finite(want)
  if (!any(fin)) return(invisible())
  d <- max(abs(got[fin] - want[fin]) / pmax(1, abs(want[fin])))
  if (track && d > MAXDIFF) { MAXDIFF <<- d; MAXDIFF_WHERE <<- where }
  if (d > tol) stop(sprintf("%s: by-hand differs from metafor by %.3g (relative)", where, d))
  invisible()
}

# ==================================================================================================
# Independent re-implementation of the header's formulas (a check, not the reference)
# ==================================================================================================

is_int_only <- function(X) ncol(X) == 1 && all(X[, 1] == 1)

# Quantities of P(w) = W - W X (X'WX)^-1 X'W: yc'P yc, yc'P P yc, tr P, sum(P*P), diag P.
pq <- function(w, X, yc) {
  if (is_int_only(X)) {
    sw <- sum(w); sw2 <- sum(w^2); sw3 <- sum(w^3)
    r <- yc - sum(w * yc) / sw
    return(list(RSS = sum(w * r^2), yPPy = sum(w^2 * r^2), trP = sw - sw2 / sw,
                sumPP = sw2 - 2 * sw3 / sw + (sw2 / sw)^2, diagP = w - w^2 / sw))
  }
  k <- length(w)
  WX <- w * X
  P <- diag(w, k) - WX %*% solve(crossprod(X, WX), t(WX))
  Py <- as.vector(P %*% yc)
  list(RSS = sum(yc * Py), yPPy = sum(Py^2), trP = sum(diag(P)), sumPP = sum(P * P),
       diagP = diag(P))
}

bh_tau2 <- function(y, v, X, method, control = list()) {
  k <- length(y); p <- ncol(X)
  thr <- control$threshold %||% 1e-5
  maxiter <- control$maxiter %||% 100
  if (method == "FE" || (k == 1 && is_int_only(X)))
    return(list(tau2 = 0, se.tau2 = NA_real_, iter = NA_real_))
  yc <- y - mean(y)
  if (method == "DL") {
    q <- pq(1 / v, X, yc)
    t <- max(0, (q$RSS - (k - p)) / q$trP)
    se <- sqrt((2 * (k - p) + 4 * t * q$trP + 2 * t^2 * q$sumPP) / q$trP^2)
    return(list(tau2 = t, se.tau2 = se, iter = NA_real_))
  }
  stopifnot(method == "REML")
  q0 <- pq(rep(1, k), X, yc)
  t <- max(0, (q0$RSS - sum(q0$diagP * v)) / (k - p))
  iter <- 0; change <- thr + 1
  while (change > thr) {
    iter <- iter + 1; old <- t
    q <- pq(1 / (v + t), X, yc)
    adj <- (q$yPPy - q$trP) / q$sumPP
    while (t + adj < 0) adj <- adj / 2
    t <- t + adj
    change <- abs(old - t)
    if (iter > maxiter) stop("by-hand Fisher scoring did not converge")
  }
  q <- pq(1 / (v + t), X, yc)
  list(tau2 = t, se.tau2 = sqrt(2 / q$sumPP), iter = iter)
}

bh_fit <- function(y, v, X = NULL, method, test = "z", control = list(), r2 = TRUE) {
  k <- length(y)
  if (is.null(X)) X <- matrix(1, k, 1)
  p <- ncol(X)
  int_only <- is_int_only(X)
  tt <- bh_tau2(y, v, X, method, control)
  t <- tt$tau2
  if (k == 1) test <- "z"
  w <- 1 / (v + t)
  WX <- w * X
  vb <- solve(crossprod(X, WX))
  b <- as.vector(vb %*% crossprod(WX, y))
  RSS <- sum(w * (y - as.vector(X %*% b))^2)
  s2w <- 1
  if (test == "knha") s2w <- if (RSS <= EPS) 0 else RSS / (k - p)
  vb <- s2w * vb
  se <- sqrt(diag(vb)); z <- b / se
  btt <- if (p > 1) 2:p else 1
  m <- length(btt)
  QM <- as.numeric(t(b[btt]) %*% solve(vb[btt, btt, drop = FALSE]) %*% b[btt])
  if (test == "knha") {
    dfs <- k - p; QM <- QM / m; QMdf <- c(m, k - p)
    QMp <- pf(QM, m, k - p, lower.tail = FALSE)
    pval <- 2 * pt(abs(z), dfs, lower.tail = FALSE); crit <- qt(0.975, dfs)
  } else {
    dfs <- NA_real_; QMdf <- c(m, NA_real_)
    QMp <- pchisq(QM, m, lower.tail = FALSE)
    pval <- 2 * pnorm(abs(z), lower.tail = FALSE); crit <- qnorm(0.975)
  }
  if (k > p) {
    qf <- pq(1 / v, X, y - mean(y))
    QE <- max(0, qf$RSS); QEp <- pchisq(QE, k - p, lower.tail = FALSE); vt <- (k - p) / qf$trP
    if (method == "FE") { I2 <- max(0, 100 * (QE - (k - p)) / QE); H2 <- QE / (k - p) }
    else { I2 <- 100 * t / (vt + t); H2 <- t / vt + 1 }
  } else { QE <- 0; QEp <- 1; I2 <- 0; H2 <- 1; vt <- 0 }
  R2 <- NA_real_
  if (!int_only && r2) {
    if (method == "FE") {
      Qt <- pq(1 / v, matrix(1, k, 1), y - mean(y))$RSS
      R2 <- if (identical(var(y), 0)) 0 else max(0, 100 * (1 - (QE / (k - p)) / (Qt / (k - 1))))
    } else {
      t0 <- bh_tau2(y, v, matrix(1, k, 1), method, control)$tau2
      R2 <- if (identical(t0, 0)) 0 else max(0, 100 * (t0 - t) / t0)
    }
  }
  list(k = k, p = p, b = b, se = se, zval = z, pval = pval, ci.lb = b - crit * se,
       ci.ub = b + crit * se, dfs = dfs, tau2 = t, se.tau2 = tt$se.tau2, iter = tt$iter,
       I2 = I2, H2 = H2, R2 = R2, vt = vt, QE = QE, QEp = QEp, QM = QM, QMdf = QMdf, QMp = QMp,
       s2w = s2w, RSS = RSS)
}

# leave1out / cumul by hand: columns as metafor's list.
bh_list <- function(fits) {
  g <- function(n) vapply(fits, function(f) f[[n]][1], 0)
  list(estimate = g("b"), se = g("se"), zval = g("zval"), pval = g("pval"), ci.lb = g("ci.lb"),
       ci.ub = g("ci.ub"), Q = g("QE"), Qp = g("QEp"), tau2 = g("tau2"), I2 = g("I2"),
       H2 = g("H2"))
}
bh_leave1out <- function(y, v, method, test, control)
  bh_list(lapply(seq_along(y), function(i) bh_fit(y[-i], v[-i], NULL, method, test, control)))
bh_cumul <- function(y, v, ord, method, test, control)
  bh_list(lapply(seq_along(y), function(i)
    bh_fit(y[ord][seq_len(i)], v[ord][seq_len(i)], NULL, method, test, control)))

bh_trimfill <- function(y, v, method, control = list(), maxiter = 100) {
  k <- length(y)
  slope <- bh_fit(y, v, cbind(1, sqrt(v)), method, "z", control, r2 = FALSE)$b[2]
  side <- if (slope < 0) "right" else "left"
  sgn <- if (side == "right") -1 else 1
  yy <- sgn * y
  ix <- order(yy)                     # stable, as sort(index.return = TRUE)
  ys <- yy[ix]; vs <- v[ix]
  k0 <- 0; k0.sav <- -1; iter <- 0; k0_trace <- c(); beta_trace <- c()
  while (abs(k0 - k0.sav) > 0) {
    k0.sav <- k0; iter <- iter + 1
    if (iter > maxiter) stop("by-hand trim and fill did not converge")
    beta <- bh_fit(ys[seq_len(k - k0)], vs[seq_len(k - k0)], NULL, method, "z", control)$b
    yc <- ys - beta
    r <- rank(abs(yc), ties.method = "first")
    s <- sign(yc) * r
    Sr <- sum(s[s > 0])
    L0 <- (4 * Sr - k * (k + 1)) / (2 * k - 1)
    varSr <- 1/24 * (k*(k+1)*(2*k+1) + 10*L0^3 + 27*L0^2 + 17*L0 - 18*k*L0^2 - 18*k*L0 +
                     6*k^2*L0)
    se.k0 <- max(0, 4 * sqrt(varSr) / (2 * k - 1))
    k0 <- max(0, round(L0))
    k0_trace <- c(k0_trace, k0); beta_trace <- c(beta_trace, sgn * beta)
  }
  if (k0 > 0) {
    tail <- (k - k0 + 1):k
    yfill <- sgn * (2 * beta - ys[tail]); vfill <- vs[tail]; mirrored <- ix[tail]
    fit <- bh_fit(c(y, yfill), c(v, vfill), NULL, method, "z", control)
  } else {
    yfill <- vfill <- mirrored <- numeric(0)
    fit <- NULL
  }
  list(side = side, slope = slope, k0 = k0, se.k0 = se.k0, iter = iter, k0_trace = k0_trace,
       beta_trace = beta_trace, yfill = yfill, vfill = vfill, mirrored = mirrored, fit = fit)
}

# ==================================================================================================
# Records (metafor calls)
# ==================================================================================================

fit_fields <- function(r) {
  list(k = num(r$k), b = num(r$b), se = num(r$se), zval = num(r$zval), pval = num(r$pval),
       ci.lb = num(r$ci.lb), ci.ub = num(r$ci.ub), tau2 = num(r$tau2), se.tau2 = num(r$se.tau2),
       I2 = num(r$I2), H2 = num(r$H2), vt = num(r$vt), QE = num(r$QE), QEp = num(r$QEp))
}
check_fit <- function(where, rec, h) {
  check_close(where, rec[c("k", "b", "se", "zval", "pval", "ci.lb", "ci.ub", "tau2", "se.tau2",
                           "I2", "H2", "vt", "QE", "QEp")],
              list(h$k, h$b, h$se, h$zval, h$pval, h$ci.lb, h$ci.ub, h$tau2, h$se.tau2, h$I2,
                   h$H2, h$vt, h$QE, h$QEp))
}

# One rma fit: the default or tight variant of a method label.
LABEL_METHOD <- c(REML = "REML", DL = "DL", FE = "FE", REML_tight = "REML")
fit_label <- function(yi, vi, study, label, where) {
  method <- LABEL_METHOD[[label]]
  args <- list(yi = yi, vi = vi, method = method, slab = study)
  if (label == "REML_tight") {
    r0 <- must(run_mf(rma, args), where)$res
    args$control <- list(threshold = 1e-10 * max(1, r0$tau2), maxiter = 10000)
  }
  f <- must(run_mf(rma, args), paste(where, label))
  if (length(f$warnings)) stop(sprintf("%s %s: warnings %s", where, label, f$warnings))
  f$res
}
ctrl_of <- function(res) if (length(res$control)) res$control else list()

list_record <- function(l, study) {
  list(study = sarr(study), estimate = arr(l$estimate), se = arr(l$se), zval = arr(l$zval),
       pval = arr(l$pval %||% l$pvals), ci.lb = arr(l$ci.lb), ci.ub = arr(l$ci.ub), Q = arr(l$Q),
       Qp = arr(l$Qp), tau2 = arr(l$tau2), I2 = arr(l$I2), H2 = arr(l$H2))
}
list_check <- function(where, rec, h) {
  for (n in names(h)) check_close(paste(where, n), rec[[n]], h[[n]])
}

leave1out_record <- function(res, yi, vi, study, where) {
  f <- must(run_mf(leave1out, list(res)), where)
  l <- f$res
  stopifnot(identical(as.character(l$slab), as.character(study)))
  rec <- list_record(l, l$slab)
  h <- bh_leave1out(yi, vi, res$method, res$test, ctrl_of(res))
  list_check(where, rec, h)
  rec$warnings <- sarr(f$warnings)
  rec
}

cumul_record <- function(res, yi, vi, study, order_var, where) {
  args <- list(res)
  if (!is.null(order_var)) args$order <- order_var
  f <- must(run_mf(cumul, args), where)
  l <- f$res
  ord <- if (is.null(order_var)) seq_along(yi) else order(order_var)
  stopifnot(identical(as.character(l$slab), as.character(study[ord])))
  rec <- list_record(l, l$slab)
  h <- bh_cumul(yi, vi, ord, res$method, res$test, ctrl_of(res))
  list_check(where, rec, h)
  rec$warnings <- sarr(f$warnings)
  rec
}

regtest_record <- function(res, yi, vi, where) {
  f <- must(run_mf(regtest, list(res)), where)
  rt <- f$res
  fit <- rt$fit
  rma_rec <- list(model = rt$model, predictor = rt$predictor, method = rt$method,
                  test = fit$test, zval = num(rt$zval), pval = num(rt$pval), dfs = num(rt$dfs),
                  est = num(rt$est), ci.lb = num(rt$ci.lb), ci.ub = num(rt$ci.ub),
                  b = arr(fit$b), se = arr(fit$se), tau2 = num(fit$tau2), QE = num(fit$QE),
                  QEp = num(fit$QEp), warnings = sarr(f$warnings))
  h <- bh_fit(yi, vi, cbind(1, sqrt(vi)), res$method, res$test, ctrl_of(res), r2 = FALSE)
  check_close(paste(where, "regtest rma"),
              rma_rec[c("zval", "pval", "est", "ci.lb", "ci.ub", "b", "se", "tau2", "QE", "QEp")],
              list(h$zval[2], h$pval[2], h$b[1], h$ci.lb[1], h$ci.ub[1], h$b, h$se, h$tau2, h$QE,
                   h$QEp))
  g <- must(run_mf(regtest, list(res, model = "lm")), where)
  lt <- g$res
  cf <- coef(summary(lt$fit))
  lm_rec <- list(model = lt$model, predictor = lt$predictor, tval = num(lt$zval),
                 pval = num(lt$pval), dfs = num(lt$dfs), est = num(lt$est),
                 ci.lb = num(lt$ci.lb), ci.ub = num(lt$ci.ub), b = arr(cf[, 1]), se = arr(cf[, 2]),
                 sigma2 = num(summary(lt$fit)$sigma^2), warnings = sarr(g$warnings))
  k <- length(yi); X <- cbind(1, sqrt(vi)); w <- 1 / vi
  A <- solve(crossprod(X, w * X)); b <- as.vector(A %*% crossprod(X, w * yi))
  s2 <- sum(w * (yi - as.vector(X %*% b))^2) / (k - 2); se <- sqrt(s2 * diag(A))
  hk <- bh_fit(yi, vi, X, "FE", "knha", r2 = FALSE)
  check_close(paste(where, "regtest lm"),
              lm_rec[c("tval", "pval", "dfs", "est", "ci.lb", "ci.ub", "b", "se", "sigma2")],
              list(b[2] / se[2], 2 * pt(abs(b[2] / se[2]), k - 2, lower.tail = FALSE), k - 2,
                   b[1], b[1] - qt(0.975, k - 2) * se[1], b[1] + qt(0.975, k - 2) * se[1], b, se,
                   s2))
  check_close(paste(where, "regtest lm = FE knha"), c(lm_rec$tval, lm_rec$pval), c(hk$zval[2], hk$pval[2]))
  list(rma = rma_rec, lm = lm_rec)
}

trimfill_record <- function(res, yi, vi, where) {
  ctrl <- if (length(res$control)) res$control else NULL
  args <- list(res, verbose = TRUE)
  if (!is.null(ctrl)) args$control <- ctrl
  f <- must(run_mf(trimfill, args), where)
  tf <- f$res
  k0_trace <- as.numeric(sub(".*missing = *([0-9]+).*", "\\1",
                             grep("missing =", f$output, value = TRUE)))
  beta_print <- as.numeric(sub(".*beta = *(-?[0-9.]+).*", "\\1",
                               grep("missing =", f$output, value = TRUE)))
  fill <- tf$fill
  k <- length(yi)
  # side model as trimfill fits it internally
  sargs <- list(yi = yi, vi = vi, mods = sqrt(vi), method = res$method)
  if (!is.null(ctrl)) sargs$control <- ctrl
  sm <- must(run_mf(rma, sargs), paste(where, "side model"))$res
  h <- bh_trimfill(yi, vi, res$method, ctrl %||% list())
  rec <- list(estimator = tf$k0.est, side = tf$side, k0 = num(tf$k0), se.k0 = num(tf$se.k0),
              side_slope = num(sm$beta[2]), iterations = length(k0_trace),
              k0_trace = arr(k0_trace), beta_trace = arr(h$beta_trace),
              filled = list(yi = arr(tf$yi[fill]), vi = arr(tf$vi[fill]),
                            mirrored_study = arr(h$mirrored)),
              fit = fit_fields(tf), warnings = sarr(f$warnings))
  stopifnot(identical(rec$side, h$side), identical(rec$k0, as.numeric(h$k0)),
            identical(as.numeric(k0_trace), as.numeric(h$k0_trace)),
            all(abs(beta_print - h$beta_trace) <= 0.5e-4 + 1e-12),
            length(tf$yi) == k + tf$k0, sum(fill) == tf$k0,
            identical(as.numeric(tf$vi[fill]), as.numeric(vi[h$mirrored])))
  check_close(paste(where, "trimfill"), list(rec$se.k0, rec$side_slope, tf$yi[fill]),
              list(h$se.k0, h$slope, h$yfill))
  hf <- if (h$k0 > 0) h$fit else bh_fit(yi, vi, NULL, res$method, res$test, ctrl %||% list())
  check_fit(paste(where, "trimfill fit"), rec$fit, hf)
  rec
}

metareg_record <- function(yi, vi, dat, formula, moderator, method, test, tight, where) {
  args <- list(yi = yi, vi = vi, mods = formula, data = dat, method = method, test = test)
  ctrl <- NULL
  if (tight) {
    r0 <- must(run_mf(rma, args), where)$res
    ctrl <- list(threshold = 1e-10 * max(1, r0$tau2), maxiter = 10000)
    args$control <- ctrl
  }
  if (method == "REML") args$verbose <- TRUE
  f <- must(run_mf(rma, args), where)
  r <- f$res
  X <- r$X
  is_t <- test == "knha"
  rec <- list(moderator = moderator, method = method, test = test, control = ctrl,
              k = num(r$k), p = num(r$p), coef = sarr(rownames(r$beta)),
              b = arr(r$beta), se = arr(r$se))
  rec[[if (is_t) "tval" else "zval"]] <- arr(r$zval)
  rec <- c(rec, list(pval = arr(r$pval), ci.lb = arr(r$ci.lb), ci.ub = arr(r$ci.ub),
                     dfs = num(r$dfs), tau2 = num(r$tau2), se.tau2 = num(r$se.tau2),
                     I2 = num(r$I2), H2 = num(r$H2), R2 = num(r$R2), vt = num(r$vt),
                     QE = num(r$QE), QEp = num(r$QEp), QM = num(r$QM), QMdf = arr(r$QMdf),
                     QMp = num(r$QMp), s2w = num(r$s2w), iter = iter_of(f$output),
                     warnings = sarr(f$warnings)))
  h <- bh_fit(yi, vi, unname(X), method, test, ctrl %||% list())
  check_close(where, rec[c("b", "se", if (is_t) "tval" else "zval", "pval", "ci.lb", "ci.ub",
                           "dfs", "tau2", "se.tau2", "I2", "H2", "R2", "vt", "QE", "QEp", "QM",
                           "QMdf", "QMp", "s2w")],
              list(h$b, h$se, h$zval, h$pval, h$ci.lb, h$ci.ub, h$dfs, h$tau2, h$se.tau2, h$I2,
                   h$H2, h$R2, h$vt, h$QE, h$QEp, h$QM, h$QMdf, h$QMp, h$s2w))
  if (method == "REML") stopifnot(identical(rec$iter, as.numeric(h$iter)))
  rec
}

# ==================================================================================================
# Cases
# ==================================================================================================

mj <- jsonlite::fromJSON(file.path("tests", "reference", "meta.json"), simplifyVector = FALSE)
meta_case <- function(name) {
  cs <- Filter(function(c) identical(c$name, name), mj$cases)
  stopifnot(length(cs) == 1)
  c <- cs[[1]]
  yi <- vapply(c$escalc$yi, function(x) if (is.null(x)) NA_real_ else as.numeric(x), 0)
  vi <- vapply(c$escalc$vi, function(x) if (is.null(x)) NA_real_ else as.numeric(x), 0)
  stopifnot(!anyNA(yi), !anyNA(vi))
  list(yi = yi, vi = vi, study = unlist(c$study), measure = c$measure,
       description = c$description)
}

LABELS <- c("REML", "DL", "REML_tight")
ALL_LABELS <- c("REML", "DL", "FE", "REML_tight")

common_results <- function(cs, order_var, order_by, where) {
  fits <- setNames(lapply(ALL_LABELS, function(l) fit_label(cs$yi, cs$vi, cs$study, l, where)),
                   ALL_LABELS)
  for (l in ALL_LABELS)   # the fits themselves: as meta.R's, by hand
    check_fit(paste(where, l, "fit"), fit_fields(fits[[l]]),
              bh_fit(cs$yi, cs$vi, NULL, LABEL_METHOD[[l]], "z", ctrl_of(fits[[l]])))
  ord <- if (is.null(order_var)) seq_along(cs$yi) else order(order_var)
  list(
    leave1out = setNames(lapply(LABELS, function(l)
      leave1out_record(fits[[l]], cs$yi, cs$vi, cs$study, paste(where, l, "leave1out"))), LABELS),
    cumul = c(list(order_by = order_by, order = arr(ord)),
              setNames(lapply(LABELS, function(l)
                cumul_record(fits[[l]], cs$yi, cs$vi, cs$study, order_var,
                             paste(where, l, "cumul"))), LABELS)),
    regtest = setNames(lapply(ALL_LABELS, function(l)
      regtest_record(fits[[l]], cs$yi, cs$vi, paste(where, l))), ALL_LABELS),
    trimfill = setNames(lapply(ALL_LABELS, function(l)
      trimfill_record(fits[[l]], cs$yi, cs$vi, paste(where, l))), ALL_LABELS))
}

cases <- list()

# ---- bcg ------------------------------------------------------------------------------------------
bcg <- meta_case("bcg_rr")
bcsv <- read_metadat("dat_bcg.csv")
stopifnot(nrow(bcsv) == 13, identical(paste(bcsv$author, bcsv$year), bcg$study))
local({
  es <- escalc("RR", ai = bcsv$tpos, n1i = bcsv$tpos + bcsv$tneg, ci = bcsv$cpos,
               n2i = bcsv$cpos + bcsv$cneg)
  stopifnot(identical(as.numeric(es$yi), bcg$yi), identical(as.numeric(es$vi), bcg$vi))
})
ablat <- as.numeric(bcsv$ablat); alloc <- bcsv$alloc; byear <- as.numeric(bcsv$year)
res_bcg <- common_results(bcg, byear, "year", "bcg")

bdat <- data.frame(yi = bcg$yi, vi = bcg$vi, ablat = ablat, alloc = alloc)
metareg <- list()
for (spec in list(c("REML", "z"), c("REML", "knha"), c("DL", "z"), c("DL", "knha"), c("FE", "z"),
                  c("REML_tight", "z"), c("REML_tight", "knha"))) {
  metareg[[length(metareg) + 1]] <- metareg_record(
    bcg$yi, bcg$vi, bdat, ~ ablat, "ablat", LABEL_METHOD[[spec[1]]], spec[2],
    spec[1] == "REML_tight", paste("bcg metareg", spec[1], spec[2]))
}
res_bcg$metareg <- metareg

# subgroups
levs <- sort(unique(alloc))
sub_fits <- setNames(lapply(ALL_LABELS, function(l) lapply(levs, function(g) {
  s <- alloc == g
  r <- fit_label(bcg$yi[s], bcg$vi[s], bcg$study[s], l, paste("bcg subgroup", g))
  rec <- c(list(level = g), fit_fields(r))
  check_fit(paste("bcg subgroup", l, g), rec,
            bh_fit(bcg$yi[s], bcg$vi[s], NULL, LABEL_METHOD[[l]], "z", ctrl_of(r)))
  rec
})), ALL_LABELS)
fe_all <- fit_label(bcg$yi, bcg$vi, bcg$study, "FE", "bcg FE")
q_within <- vapply(sub_fits$FE, function(f) f$QE, 0)
q_between <- fe_all$QE - sum(q_within)
G <- length(levs)
mod_models <- setNames(lapply(ALL_LABELS, function(l)
  metareg_record(bcg$yi, bcg$vi, bdat, ~ factor(alloc), "factor(alloc)", LABEL_METHOD[[l]], "z",
                 l == "REML_tight", paste("bcg subgroup model", l))), ALL_LABELS)
check_close("bcg Q_between = FE QM", q_between, mod_models$FE$QM)
sep_re <- setNames(lapply(c("REML", "DL", "REML_tight"), function(l) {
  bg <- vapply(sub_fits[[l]], function(f) f$b, 0); sg <- vapply(sub_fits[[l]], function(f) f$se, 0)
  r <- must(run_mf(rma, list(yi = bg, vi = sg^2, method = "FE")), "separate RE test")$res
  h <- bh_fit(bg, sg^2, NULL, "FE")
  check_close(paste("bcg separate RE test", l), c(r$QE, r$QEp), c(h$QE, h$QEp))
  list(Q = num(r$QE), df = G - 1, pval = num(r$QEp))
}), c("REML", "DL", "REML_tight"))
res_bcg$subgroup <- list(
  variable = "alloc", levels = sarr(levs), level_of_study = sarr(alloc),
  fits = sub_fits,
  q_between_fe = list(Q_total = num(fe_all$QE), Q_within = arr(q_within),
                      Q_within_sum = sum(q_within), Q_between = q_between, df = G - 1,
                      pval = pchisq(q_between, G - 1, lower.tail = FALSE)),
  moderator_models = mod_models,
  separate_re_test = sep_re,
  test_of_moderators = paste(
    "metafor prints 'Test of Moderators (coefficients 2:3)' = QM of the model fitted with",
    "mods = ~ factor(alloc): for method REML (mixed-effects model, one common residual tau2) this",
    "is metafor's test for subgroup differences (moderator_models.REML); for method FE it equals",
    "q_between_fe.Q_between. separate_re_test (subgroup estimates with their own tau2) is not a",
    "metafor output."))

cases[[length(cases) + 1]] <- list(
  name = "bcg_rr",
  description = paste("BCG vaccine (Colditz 1994), log risk ratio of TB (vaccinated vs not); yi/vi",
                      "= meta.json case bcg_rr escalc; moderators from dat_bcg.csv"),
  source = "tests/reference/meta.json case bcg_rr; moderators metadat dat_bcg.csv",
  measure = bcg$measure, k = length(bcg$yi), yi = arr(bcg$yi), vi = arr(bcg$vi),
  study = sarr(bcg$study),
  moderators = list(ablat = arr(ablat), alloc = sarr(alloc), year = arr(byear)),
  results = res_bcg)

# ---- lee2004 --------------------------------------------------------------------------------------
lee <- meta_case("lee2004_rr")
lcsv <- read_metadat("dat_lee2004.csv")
stopifnot(identical(paste(lcsv$study, lcsv$year), lee$study), !anyDuplicated(lee$study))
cases[[length(cases) + 1]] <- list(
  name = "lee2004_rr",
  description = paste("P6 acupoint stimulation vs sham (Lee 2004), log risk ratio of nausea; yi/vi",
                      "= meta.json case lee2004_rr escalc; cumul in file order"),
  source = "tests/reference/meta.json case lee2004_rr; year from metadat dat_lee2004.csv",
  measure = lee$measure, k = length(lee$yi), yi = arr(lee$yi), vi = arr(lee$vi),
  study = sarr(lee$study), moderators = list(year = arr(as.numeric(lcsv$year))),
  results = common_results(lee, NULL, "file order", "lee2004"))

# ---- normand1999 SMD ------------------------------------------------------------------------------
nor <- meta_case("normand1999_smd")
stopifnot(!anyDuplicated(nor$study))
cases[[length(cases) + 1]] <- list(
  name = "normand1999_smd",
  description = paste("Specialist stroke care vs routine (Normand 1999), length of stay,",
                      "Hedges' g; yi/vi = meta.json case normand1999_smd escalc"),
  source = "tests/reference/meta.json case normand1999_smd",
  measure = nor$measure, k = length(nor$yi), yi = arr(nor$yi), vi = arr(nor$vi),
  study = sarr(nor$study), moderators = setNames(list(), character(0)),
  results = common_results(nor, NULL, "file order", "normand1999_smd"))

# ---- generated, k = 1000 --------------------------------------------------------------------------
RNGkind("Mersenne-Twister", "Inversion", "Rejection")
set.seed(20240612)
K <- 1000
gvi <- runif(K, 0.01, 0.2)
gyi <- rnorm(K, 0.2, sqrt(0.1 + gvi))
gstudy <- paste0("S", seq_len(K))

loadavg <- function() tryCatch(as.numeric(strsplit(readLines("/proc/loadavg"), " ")[[1]][1:3]),
                                error = function(e) rep(NA_real_, 3))
# Elapsed and CPU (user + system, this process) seconds of each repetition; system.time's
# resolution is 1 ms, so they are rounded to 3 decimals.
timed <- function(fun, reps) {
  secs <- cpu <- numeric(reps); val <- NULL
  la0 <- loadavg()
  for (r in seq_len(reps)) {
    st <- system.time(v <- fun(), gcFirst = TRUE)
    secs[r] <- round(st[["elapsed"]], 3)
    cpu[r] <- round(st[["user.self"]] + st[["sys.self"]], 3)
    if (r == 1) val <- v
  }
  list(value = val, seconds = secs, median = median(secs), cpu = cpu, cpu_median = median(cpu),
       loadavg = c(la0, loadavg()))
}

cat("gen_1000: REML fit ...\n")
t_fit <- timed(function() rma(gyi, gvi, method = "REML", slab = gstudy), REPS)
g_res <- t_fit$value
g_fit <- must(run_mf(rma, list(yi = gyi, vi = gvi, method = "REML", slab = gstudy,
                               verbose = TRUE)), "gen_1000 fit")
g_ctrl <- list(threshold = 1e-10 * max(1, g_res$tau2), maxiter = 10000)
g_tight <- must(run_mf(rma, list(yi = gyi, vi = gvi, method = "REML", slab = gstudy,
                                 control = g_ctrl, verbose = TRUE)), "gen_1000 tight")
fit_rec <- c(fit_fields(g_res), list(iter = iter_of(g_fit$output)))
tight_rec <- c(fit_fields(g_tight$res), list(iter = iter_of(g_tight$output), control = g_ctrl))
h <- bh_fit(gyi, gvi, NULL, "REML")
check_fit("gen_1000 fit", fit_rec, h); stopifnot(identical(fit_rec$iter, as.numeric(h$iter)))
h <- bh_fit(gyi, gvi, NULL, "REML", control = g_ctrl)
check_fit("gen_1000 tight", tight_rec, h); stopifnot(identical(tight_rec$iter, as.numeric(h$iter)))

cat("gen_1000: confint ...\n")
confint_rec <- function(p, tol) {
  rr <- p$random
  row <- function(n) list(estimate = num(rr[n, "estimate"]), ci.lb = num(rr[n, "ci.lb"]),
                          ci.ub = num(rr[n, "ci.ub"]))
  list(type = "QP", tol = tol, tau2.min = num(p$tau2.min),
       tau2.max = max(100, 10 * g_res$tau2, 10 * p$tau2.min),
       tau2 = row("tau^2"), tau = row("tau"), I2 = row("I^2(%)"), H2 = row("H^2"),
       ci.null = p$ci.null, lb.sign = p$lb.sign, ub.sign = p$ub.sign)
}
t_ci <- timed(function() confint(g_res), REPS)
ci_rec <- c(confint_rec(t_ci$value, EPS^0.25), list(warnings = sarr(character(0))))
ci_tight <- confint_rec(must(run_mf(confint, list(g_res, control = list(tol = 1e-12))),
                             "gen_1000 confint tight")$res, 1e-12)
ci_rec$tight <- ci_tight[c("tau2", "I2", "H2")]
local({   # Q-profile bounds by hand: Q(tau2) = crit, tight
  qg <- function(t) { w <- 1 / (gvi + t); sum(w * (gyi - sum(w * gyi) / sum(w))^2) }
  lb <- uniroot(function(t) qg(t) - qchisq(0.975, K - 1), c(0, 100), tol = 1e-14)$root
  ub <- uniroot(function(t) qg(t) - qchisq(0.025, K - 1), c(0, 100), tol = 1e-14)$root
  check_close("gen_1000 confint tight", c(ci_tight$tau2$ci.lb, ci_tight$tau2$ci.ub), c(lb, ub))
  check_close("gen_1000 confint default", c(ci_rec$tau2$ci.lb, ci_rec$tau2$ci.ub), c(lb, ub), 1e-3,
              track = FALSE)   # default uniroot tol 2^-13: only ~1e-5 close
})

g_slow <- list()   # leave1out / cumul of gen_1000: only with META_MORE_SLOW=1
t_l1o <- t_cum <- NULL
if (SLOW == 1) {
  cat(sprintf("gen_1000: leave1out (%d run(s), ~75 min each with reference BLAS) ...\n", SLOW_REPS))
  t_l1o <- timed(function() leave1out(g_res), SLOW_REPS)
  l1o_rec <- list_record(t_l1o$value, t_l1o$value$slab)
  list_check("gen_1000 leave1out", l1o_rec, bh_leave1out(gyi, gvi, "REML", "z", list()))
  cat(sprintf("gen_1000: cumul (%d run(s), ~20 min each) ...\n", SLOW_REPS))
  t_cum <- timed(function() cumul(g_res), SLOW_REPS)
  cum_rec <- list_record(t_cum$value, t_cum$value$slab)
  list_check("gen_1000 cumul", cum_rec, bh_cumul(gyi, gvi, seq_len(K), "REML", "z", list()))
  stopifnot(identical(as.character(t_cum$value$slab), gstudy))
  g_slow <- list(
    leave1out = list(REML = c(l1o_rec, list(warnings = sarr(character(0))))),
    cumul = list(order_by = "file order", order = arr(seq_len(K)),
                 REML = c(cum_rec, list(warnings = sarr(character(0))))))
} else {
  cat("gen_1000: leave1out / cumul skipped (set META_MORE_SLOW=1 to run them, ~100 min)\n")
}

cases[[length(cases) + 1]] <- list(
  name = "gen_1000",
  description = paste("generated: k = 1000, RNGkind(\"Mersenne-Twister\", \"Inversion\",",
                      "\"Rejection\"); set.seed(20240612); vi <- runif(1000, 0.01, 0.2);",
                      "yi <- rnorm(1000, 0.2, sqrt(0.1 + vi)) (true mu 0.2, tau2 0.1)"),
  source = "generated", measure = "GEN", k = K, yi = arr(gyi), vi = arr(gvi),
  study = sarr(gstudy), moderators = setNames(list(), character(0)),
  results = c(list(
    fit = list(REML = fit_rec, REML_tight = tight_rec,
               default_vs_tight = list(tau2 = (g_res$tau2 - g_tight$res$tau2) / g_tight$res$tau2,
                                       b = (num(g_res$b) - num(g_tight$res$b)) /
                                         num(g_tight$res$b))),
    confint = ci_rec), g_slow))

# gen_1000 input as CSV for command-line tools: study,yi,vi (17 significant digits, "\n" endings)
writeLines(c("study,yi,vi", sprintf("%s,%.17g,%.17g", gstudy, gyi, gvi)),
           file.path(out_dir, "meta_gen1000.csv"))

# ==================================================================================================
# Output
# ==================================================================================================

cat(sprintf("by-hand check: max relative difference %.3g (%s)\n", MAXDIFF, MAXDIFF_WHERE))

ops <- list(
  rma_reml = list(call = "rma(yi, vi, method = \"REML\", slab = study)", t = t_fit),
  confint = list(call = "confint(res)  (Q-profile, default tol)", t = t_ci),
  leave1out = list(call = "leave1out(res)", t = t_l1o),
  cumul = list(call = "cumul(res)", t = t_cum))

meta <- list(
  generated_by = "tests/reference/meta_more.R",
  r_version = R.version.string,
  metafor = pkg_version("metafor"),
  jsonlite = pkg_version("jsonlite"),
  metafor_source = "github wviechtb/metafor tag v3.8-1 (commit b61bf087aa0d), installed functions checked identical",
  inputs = paste("yi/vi/study from tests/reference/meta.json (cases bcg_rr, lee2004_rr,",
                 "normand1999_smd); moderators from the metadat CSVs (dat_bcg.csv ablat, alloc,",
                 "year; dat_lee2004.csv year); gen_1000 generated (see its description)"),
  tight_control = "REML_tight: control = list(threshold = 1e-10 * max(1, tau2 of the default fit), maxiter = 10000)",
  by_hand_max_rel_diff = MAXDIFF,
  by_hand_max_rel_diff_where = MAXDIFF_WHERE,
  note = paste("metafor 3.8-1 leave1out / cumul / rma.uni with mods / regtest / trimfill with",
               "their defaults (level 95, test z unless knha); see the header of meta_more.R for",
               "every call, the JSON layout and the formulas. 17 significant digits; NA/NaN ->",
               "null."),
  gen_1000_slow = if (SLOW == 1) "included: results leave1out and cumul of gen_1000 (META_MORE_SLOW=1)" else
    "omitted: gen_1000 has no leave1out / cumul results (META_MORE_SLOW=0, the default)",
  gen_1000_csv = "tests/reference/meta_gen1000.csv (study,yi,vi; the same numbers as cases gen_1000 yi/vi)",
  timing_1000 = list(
    file = "tests/reference/meta_more_timing.json",
    operations = sarr(names(ops)),
    note = paste("R's elapsed seconds (system.time, median over repetitions) for the gen_1000",
                 "case; in a separate file because they vary from run to run")))

writeLines(to_json(list(meta = meta, cases = cases)), file.path(out_dir, "meta_more.json"))

cpu <- tryCatch({
  l <- grep("^model name", readLines("/proc/cpuinfo"), value = TRUE)
  if (length(l)) trimws(sub("^[^:]*:", "", l[1])) else NA_character_
}, error = function(e) NA_character_)
timing <- list(
  generated_by = "tests/reference/meta_more.R",
  r_version = R.version.string, metafor = pkg_version("metafor"),
  blas = extSoftVersion()[["BLAS"]], lapack = La_library(), lapack_version = La_version(),
  cpu = cpu,
  cores = parallel::detectCores(), k = K,
  note = paste("seconds = elapsed, cpu_seconds = user + system CPU of the R process, from",
               "system.time(expr, gcFirst = TRUE), for the gen_1000 case (res = the REML fit);",
               "median over the repetitions (META_MORE_REPS, default 3, for rma_reml and",
               "confint; META_MORE_SLOW_REPS, default 1, for leave1out and cumul). Elapsed time",
               "is inflated when other processes compete for the CPUs (see",
               "loadavg_before_after, the 1/5/15-minute load averages before and after); the CPU",
               "seconds are the better benchmark figure then. metafor builds k x k matrices, so",
               "a REML fit is O(k^3) per iteration with Debian's reference BLAS."),
  slow = SLOW == 1,
  operations = lapply(ops, function(o) {
    if (is.null(o$t))
      return(list(call = o$call, skipped = TRUE,
                  reason = "not run: META_MORE_SLOW=0 (set META_MORE_SLOW=1; ~75 min leave1out, ~20 min cumul)"))
    list(call = o$call, skipped = FALSE, reps = length(o$t$seconds),
         seconds = arr(o$t$seconds), median = o$t$median, cpu_seconds = arr(o$t$cpu),
         cpu_median = o$t$cpu_median, loadavg_before_after = arr(o$t$loadavg))
  }))
writeLines(to_json(timing), file.path(out_dir, "meta_more_timing.json"))

# ---- summary ----------------------------------------------------------------------------------------
mr <- res_bcg$metareg[[1]]
cat(sprintf("bcg REML ablat: b = [%.6f, %.6f] se = [%.6f, %.6f] z = %.4f tau2 = %.6f R2 = %.2f QM = %.4f (p %.3g) QE = %.4f\n",
            mr$b[1], mr$b[2], mr$se[1], mr$se[2], mr$zval[2], mr$tau2, mr$R2, mr$QM, mr$QMp, mr$QE))
mk <- res_bcg$metareg[[2]]
cat(sprintf("bcg REML knha ablat: t = %.4f F = %.4f on (%g, %g), p = %.3g\n", mk$tval[2], mk$QM,
            mk$QMdf[1], mk$QMdf[2], mk$QMp))
for (cn in seq_along(cases)[1:3]) {
  rs <- cases[[cn]]$results
  for (l in ALL_LABELS) {
    tf <- rs$trimfill[[l]]; rt <- rs$regtest[[l]]
    cat(sprintf("%-16s %-10s trimfill k0 = %g (%s, se %.3f) b = %.5f tau2 = %.5f | regtest z = %.4f p = %.4f est = %.5f | lm t = %.4f\n",
                cases[[cn]]$name, l, tf$k0, tf$side, tf$se.k0, tf$fit$b, tf$fit$tau2,
                rt$rma$zval, rt$rma$pval, rt$rma$est, rt$lm$tval))
  }
}
sg <- res_bcg$subgroup
cat(sprintf("bcg subgroups: Q_between(FE) = %.4f (df %g, p %.4f); REML mixed QM = %.4f (p %.4f); separate-RE Q (REML) = %.4f (p %.4f)\n",
            sg$q_between_fe$Q_between, sg$q_between_fe$df, sg$q_between_fe$pval,
            sg$moderator_models$REML$QM, sg$moderator_models$REML$QMp, sg$separate_re_test$REML$Q,
            sg$separate_re_test$REML$pval))
slow_txt <- function(t) if (is.null(t)) "skipped" else sprintf("%.1f (cpu %.1f)", t$median, t$cpu_median)
cat(sprintf("gen_1000: tau2 = %.6f b = %.6f; timing (s): fit %.2f (cpu %.2f) confint %.2f (cpu %.2f) leave1out %s cumul %s\n",
            fit_rec$tau2, fit_rec$b, t_fit$median, t_fit$cpu_median, t_ci$median, t_ci$cpu_median,
            slow_txt(t_l1o), slow_txt(t_cum)))
