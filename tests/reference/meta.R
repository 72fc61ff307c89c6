# Reference values for the meta-analysis module (src/stats/meta.rs): per-study effect sizes and
# pooled fixed/random-effects estimates as R's metafor (Debian r-cran-metafor 3.8-1, R 4.2.2)
# computes them with escalc / rma.uni / predict.rma / confint.rma.uni / rma.mh / rma.peto.
#
# Run from the repository root:  Rscript tests/reference/meta.R
# Writes tests/reference/meta.json. Every number is written with 17 significant digits (jnum from
# lib/common.R), so inputs round-trip exactly and outputs can be compared at ~1e-12. R's NA / NaN
# is written as null, +-Inf as "Infinity" / "-Infinity". The metadat CSVs are read from
# $METADAT_DIR, else datasets/metadat/, else /work/shared/datasets/metadat/ (PROVENANCE.md there);
# their inputs are copied into the JSON, so tests never read the CSVs. tests/reference/meta.py
# (statsmodels, second source) reads the escalc yi/vi from meta.json.
#
# The formulas below were read from the metafor source at tag v3.8-1 (github wviechtb/metafor,
# commit b61bf087aa0d; R/rma.uni.r, confint.rma.uni.r, predict.rma.r, escalc.r, rma.mh.r,
# rma.peto.r, misc.func.hidden*.r); every function body of the installed package was checked to be
# identical to that tag. The script re-derives every recorded number with the independent R
# implementation below (bh_*: sums instead of metafor's matrices, and a transcription of R's C
# zeroin for uniroot) and stops if any differs by more than 1e-9 relative (|a - b| <= 1e-9
# max(1, |b|)); iteration counts must match exactly. Observed: max difference 2.4e-14. So the
# formulas below, followed literally, reproduce metafor to ~1e-13, INCLUDING its loose default
# tolerances (PM and the Q-profile CI use uniroot tol 2^-13 = 1.22e-4; REML/ML/EB stop when
# |change in tau2| <= 1e-5): to match the default numbers to 1e-9 an implementation must run the
# same iterations from the same start (Fisher scoring as below; R's zeroin, below, for PM and the
# CI). Each iterative fit also has a "tight" entry (converged to ~1e-12) for implementations with
# their own root finder.
#
# ---- Calls (metafor defaults unless shown; level = 95) -----------------------------------------
# counts (2x2: ai events / n1i in group 1, ci events / n2i in group 2, bi = n1i-ai, di = n2i-ci):
#   es <- escalc(MEASURE, ai = ai, n1i = n1i, ci = ci, n2i = n2i, drop00 = DROP00)
#          (add = 1/2, to = "only0"; DROP00 = FALSE except the *_drop00 cases)
#   res <- rma(measure = MEASURE, ai = ai, n1i = n1i, ci = ci, n2i = n2i, drop00 = DROP00,
#              method = METHOD, test = TEST, verbose = TRUE)
#          (rma.uni's own defaults for counts are the same as escalc's: add = 1/2, to = "only0",
#          drop00 = FALSE, vtype = "LS"; the script checks rma(es$yi, es$vi) gives the same fit)
# means: escalc / rma(measure = MEASURE, m1i, sd1i, n1i, m2i, sd2i, n2i, method, test)  (vtype LS)
# generic: rma(yi = yi, vi = vi, method = METHOD, test = TEST, verbose = TRUE)
# METHOD in REML, ML, DL, PM, SJ, HE, EB, HS, FE (FE = common/equal effect, inverse variance);
# TEST = "z" for all; also "knha" and "adhoc" for REML and DL. verbose = TRUE is only used to read
# the iteration count ("Fisher scoring algorithm converged after N iterations."); res has no iter.
# Per fit:  predict(res)                        (pi.type default)
#           predict(res, pi.type = "riley")     (REML and DL, test "z")
#           confint(res)                        (REML and DL, test "z": type "QP", random = TRUE)
#           confint(res, control = list(tol = 1e-12))                       -> confint$tight
#           rma(..., control = list(threshold = 1e-10 max(1, tau2), maxiter = 10000))  REML/ML/EB
#           rma(..., control = list(tol = 1e-12, maxiter = 10000))          PM  -> "tight"
# count cases: rma.mh(measure = MEASURE, ai, n1i, ci, n2i) for RR/OR/RD (defaults add = c(1/2, 0),
#   to = c("only0", "none"), drop00 = c(TRUE, FALSE), correct = TRUE), and
#   rma.peto(ai, n1i, ci, n2i) for OR/PETO cases, bcg_rr and the generated count cases.
# Warnings of every call are caught verbatim (withCallingHandlers); an error is recorded as its
# message instead of numbers.
#
# ---- meta.json -----------------------------------------------------------------------------------
# { "meta": {generated_by, r_version, metafor, jsonlite, metadat, by_hand_max_rel_diff, note},
#   "cases": [ { "name", "description", "source",
#     "input": "counts" | "means" | "generic",
#     "measure": "RR" | "OR" | "RD" | "PETO" | "MD" | "SMD" | "ROM" | "GEN",
#     "study": [labels],
#     "data": counts {ai, n1i, ci, n2i} | means {m1i, sd1i, n1i, m2i, sd2i, n2i} | generic {yi, vi}
#             (arrays, one entry per study, in study order)
#     "escalc": { "call", ["add", "to", "drop00" (counts)],
#                 "yi", "vi"       per study (null = NA: dropped by drop00 or non-finite),
#                 "corrected"      per study: 1/2 was added to its four cells (counts only),
#                 "dropped"        per study: yi is NA, so rma() omits it (with the warning
#                                  "Studies with NAs omitted from model fitting."),
#                 "warnings" },
#     "fits": [ { "method", "test" (requested), "test_used" (res$test; "z" when k = 1),
#                 "k" (studies used), "b", "se",
#                 "zval" (test z) | "tval" (knha/adhoc; metafor's res$zval), "dfs" (k-1 or null),
#                 "pval", "ci.lb", "ci.ub", "tau2", "se.tau2" (null for FE and k = 1),
#                 "I2" (percent), "H2", "vt" (the typical within-study variance of I2/H2),
#                 "QE", "QEp", "s2w" (knha/adhoc scale factor, else null),
#                 "iter" (Fisher scoring iterations for REML/ML/EB, else null),
#                 "predict": {pred, se, ci.lb, ci.ub, pi.lb, pi.ub, cr.lb, cr.ub (= pi; all four
#                             null for FE), pi_df (null = normal quantile)},
#                 "predict_riley": {pi.lb, pi.ub, pi_df} | null,
#                 "confint": {type "QP", tol, tau2.min, tau2.max, tau2 / tau / I2 / H2:
#                             {estimate, ci.lb, ci.ub}, ci.null, lb.sign, ub.sign, warnings,
#                             tight: {tau2, I2, H2}} | {error, warnings} | null,
#                 "tight": {control, tau2, b, se, iter} | null,
#                 "warnings": [strings]   } | {method, test, error, warnings} ],
#     "mh":   {measure, k, k.yi, b, se, zval, pval, ci.lb, ci.ub, QE, QEp, I2, H2,
#              CO, COp, MH, MHp, BD, BDp, TA, TAp, k.pos (OR only; null otherwise),
#              escalc_yi, escalc_vi (the drop00 = TRUE escalc values its Q uses), warnings} | null,
#     "peto": {k, k.yi, k.pos, b, se, zval, pval, ci.lb, ci.ub, QE, QEp, I2, H2,
#              escalc_yi, escalc_vi, warnings} | null } ] }
# b, ci, pi are on the analysis scale (log RR / log OR / RD / MD / g / log ROM): exp() them for
# ratios. "fits" order: REML z, REML knha, REML adhoc, ML, DL z, DL knha, DL adhoc, PM, SJ, HE,
# EB, HS, FE.
#
# ==== Formulas (metafor 3.8-1) ===================================================================
# ---- escalc: 2x2 counts --------------------------------------------------------------------------
# drop00 = TRUE: a study with (ai = 0 and ci = 0) or (bi = 0 and di = 0) gets NA counts -> yi NA.
# to = "only0": a (remaining) study with ANY zero among ai, bi, ci, di gets add = 1/2 added to all
#   four cells; then n1 = a + b, n2 = c + d (so n1i + 1), p1 = a/n1, p2 = c/n2. Applies to every
#   measure here, RD and PETO included. With the default drop00 = FALSE a 0/0 study is KEPT:
#   RR/OR yi = 0 (exactly, when n1i = n2i), vi from the corrected cells.
#   RR:   yi = log(p1) - log(p2);                      vi = 1/a - 1/n1 + 1/c - 1/n2
#   OR:   yi = log(p1/(1-p1)) - log(p2/(1-p2));        vi = 1/a + 1/b + 1/c + 1/d
#   RD:   yi = p1 - p2;                                vi = p1(1-p1)/n1 + p2(1-p2)/n2  (vtype LS)
#   PETO: N = n1 + n2, xt = a + c, yt = b + d, E = xt n1/N, V = xt yt (n1/N)(n2/N)/(N - 1);
#         yi = (a - E)/V, vi = 1/V   (V = 0 -> Inf -> NA)
#   Non-finite yi/vi -> NA with warning "Some 'yi' and/or 'vi' values equal to +-Inf. Recoded to
#   NAs."
# ---- escalc: means (vtype "LS") ------------------------------------------------------------------
#   MD:  yi = m1 - m2;  vi = sd1^2/n1 + sd2^2/n2        (unpooled SDs)
#   SMD: m = n1 + n2 - 2; sp = sqrt(((n1-1) sd1^2 + (n2-1) sd2^2)/m); d = (m1 - m2)/sp;
#        J = exp(lgamma(m/2) - log(sqrt(m/2)) - lgamma((m-1)/2))  (= Gamma(m/2) /
#        (sqrt(m/2) Gamma((m-1)/2)), the EXACT Hedges factor, not 1 - 3/(4m - 1); NA if m <= 1);
#        yi = J d (Hedges' g);  vi = 1/n1 + 1/n2 + yi^2/(2 (n1 + n2))   (corrected g, n1 + n2)
#   ROM: yi = log(m1/m2);  vi = sd1^2/(n1 m1^2) + sd2^2/(n2 m2^2)
#
# ---- rma.uni, intercept only: tau2 ---------------------------------------------------------------
# y, v = the non-NA yi/vi (k studies); yc = y - mean(y) (metafor centres y for all tau2
# computations; Q etc. are shift-invariant, so this only changes rounding). w = 1/v, W = sum(w),
# ybar_w = sum(w yc)/W, Q = sum(w (yc - ybar_w)^2), trP = W - sum(w^2)/W,
# P(w) = diag(w) - w w'/sum(w).
# tau2.min = 0. k = 1: every method gives tau2 = 0 without any estimation (se.tau2 NA, iter none).
#   FE: tau2 = 0.
#   DL: tau2 = (Q - (k-1))/trP, then max(0, .).
#   HE: tau2 = (sum(yc^2) - (k-1)/k sum(v))/(k-1), then max(0, .)   [= sample variance - mean(v)]
#   HS: tau2 = (Q - k)/W, then max(0, .)                              [k, not k - 1]
#   SJ: t0 = sum(yc^2)/k (var(y) (k-1)/k); w0 = 1/(v + t0); tau2 = t0 Q(w0)/(k-1) with
#       Q(w0) = sum(w0 (yc - ybar_w0)^2); max(0, .) (>= 0 anyway; 0 only if all y equal). Not
#       iterated (that is "SJIT").
#   PM: f(t) = Q(t) - (k-1), Q(t) = sum(w_t (yc - ybar_wt)^2), w_t = 1/(v + t).
#       if f(0) < 0: tau2 = 0. Else tau2.max = max(100, 10 mad(y)^2) (R's mad: 1.4826 *
#       median|y - median(y)|); if f(tau2.max) > 0: error "Value of 'tau2.max' too low. Try
#       increasing 'tau2.max' or switch to another 'method'."; else tau2 = uniroot(f, c(0,
#       tau2.max), tol = .Machine$double.eps^0.25 = 1.220703125e-4, maxiter = 100)$root
#       (zeroin below). So PM is only accurate to ~1e-4 absolute in tau2 (observed |default -
#       tight| up to 2.5e-5 on bcg, 1.5e-5 on normand SMD).
#   ML / REML / EB (Fisher scoring):
#       tau2 = max(0, HE value before truncation)                    (starting value)
#       iter = 0; change = threshold + 1                             (threshold = 1e-5)
#       while change > threshold:
#           iter += 1; old = tau2; w = 1/(v + tau2); W = sum(w); r = yc - sum(w yc)/W
#           ML:   adj = (sum(w^2 r^2) - W) / sum(w^2)
#           REML: adj = (sum(w^2 r^2) - tr P) / sum(P*P),  P = P(w): tr P = W - sum(w^2)/W,
#                 sum(P*P) = sum(w^2) - 2 sum(w^3)/W + (sum(w^2)/W)^2   [y'PPy = sum(w^2 r^2)]
#           EB:   adj = (sum(w r^2) k/(k-1) - k) / W
#           while tau2 + adj < 0: adj = adj/2                        (step halving)
#           tau2 = tau2 + adj; change = |old - tau2|
#           if iter > maxiter (100): error "Fisher scoring algorithm did not converge. See
#               'help(rma)' for possible remedies."  (so at most 100 iterations; the 101st fails
#               even if it would have converged)
#       The returned tau2 is the last updated value (no further step). At the boundary (tau2 = 0
#       and adj < 0) the halving runs until adj underflows to -0, i.e. tau2 stays 0 and change = 0:
#       converged with iter = 1 (cases gen_homog_*, hine1989_rd). Near a boundary maximum the
#       steps shrink geometrically and the 1e-5 rule stops early: gen_zero_cells_or REML 3.1e-7,
#       ML 5.6e-6, gen_zero_cells_or_drop00 REML 7.4e-6 (tight: ~1e-11; the exact maximum is 0).
#       ML/REML only ("ll0check", if all v > 0): with ll(t) = -k/2 log(2 pi) - 1/2 sum log(v+t)
#       - RSS/2 (ML) or -(k-1)/2 log(2 pi) - 1/2 sum log(v+t) - 1/2 log(sum w_t) - RSS/2 (REML),
#       RSS = sum(w_t (yc - ybar_wt)^2): if ll(0) - ll(tau2) > 1.220703125e-4 and tau2 > 1e-5,
#       tau2 = 0 with warning "Fisher scoring algorithm may have gotten stuck at a local
#       maximum.\nSetting tau^2 = 0. Check the profile likelihood plot with profile()." (never
#       triggered here). EB == PM's equation (solved by scoring instead of uniroot).
# se.tau2 (t = tau2 >= 0; P, w as named):
#   DL: sqrt((2(k-1) + 4 t trP + 2 t^2 sum(P*P)) / trP^2),  P = P(1/v)
#   HS: sqrt((2(k-1) + 4 t trP + 2 t^2 sum(P*P)) / W^2),    P = P(1/v), W = sum(1/v)
#   HE: sqrt((2 tr(PV PV) + 4 t tr(PV) + 2 t^2 (k-1)) / (k-1)^2), P = I - J/k, V = diag(v)
#   SJ: sqrt(t0^2/(k-1)^2 (2 tr(PV PV) + 4 t sum(PV * P) + 2 t^2 sum(P*P))), P = P(w0)
#       (tr(PV PV) = sum(PV * t(PV)); sum(A * B) = elementwise product summed)
#   ML: sqrt(2/sum(w^2));  REML: sqrt(2/sum(P*P)), P = P(w);  EB, PM: sqrt(2 k^2/(k-1)) / sum(w),
#   with w = 1/(v + tau2) at the final tau2. FE and k = 1: NA.
#
# ---- rma.uni: estimate, tests, heterogeneity ---------------------------------------------------
#   w* = 1/(v + tau2); b = sum(w* y)/sum(w*) (uncentred y); se = sqrt(1/sum(w*)).
#   test "z": zval = b/se, pval = 2 pnorm(-|zval|), CI = b -+ qnorm(0.975) se.
#   test "knha": RSS = sum(w* (y - b)^2); s2w = RSS/(k-1), or 0 if RSS <= .Machine$double.eps
#     (2.2e-16: all y equal); se = sqrt(s2w/sum(w*)); tval = b/se, dfs = k-1,
#     pval = 2 pt(-|tval|, k-1), CI = b -+ qt(0.975, k-1) se. The ad hoc correction
#     s2w <- max(1, s2w) is NOT applied: only test = "adhoc" does that. So with s2w < 1 the knha
#     CI can be NARROWER than the z CI (hine1989_rd: s2w = 0.172, knha CI [0.0155, 0.0434] vs z
#     [0.0038, 0.0551]); s2w = 0 gives se = 0, tval = Infinity, pval = 0 and a zero-width CI/PI
#     (gen_homog_identical). k = 1: test forced to "z" with warning "Setting argument test=\"z\"
#     since k=1.".
#   QE (all methods, FE weights): QE = max(0, sum(w (yc - ybar_w)^2)), w = 1/v; QEp = pchisq(QE,
#     k-1, lower = FALSE). k = 1: QE = 0, QEp = 1, I2 = 0, H2 = 1, vt = 0.
#   Typical within-study variance: vt = (k-1)/trP = (k-1) W / (W^2 - sum(w^2)), w = 1/v.
#   Random-effects methods: I2 = 100 tau2/(vt + tau2), H2 = 1 + tau2/vt (from that method's tau2,
#     so 0 / 1 when tau2 = 0; for DL with tau2 > 0 this equals 100 (Q - (k-1))/Q).
#   FE: I2 = max(0, 100 (QE - (k-1))/QE), H2 = QE/(k-1) (can be < 1; QE = 0 gives I2 0, H2 0).
#
# ---- predict.rma (pi.type "default") -------------------------------------------------------------
#   pred = b, se and ci as in the fit; pi = b -+ crit sqrt(se^2 + tau2) with crit = qnorm(0.975)
#   for test "z" and qt(0.975, k-1) for "knha"/"adhoc" (se then the knha se). So metafor 3.8-1's
#   default PI uses the NORMAL quantile (not t with k-2 df) for a z fit, and t with k-1 df (not
#   k-2) for a knha fit; it equals the CI when tau2 = 0. cr.lb/cr.ub are copies of pi.lb/pi.ub.
#   FE fits have no pi/cr. pi.type = "riley" (documented in ?predict.rma): crit = qt(0.975,
#   max(1, k - 2)) (df = k-1 - parms + p = k - 2, floored at 1), same sqrt(se^2 + tau2).
#
# ---- confint.rma.uni, Q-profile (type "QP", the default for every method but GENQ) -------------
#   tau2.min = min(0, tau2) = 0; tau2.max = max(100, 10 tau2, 10 tau2.min) (depends on the
#   estimate!); Q(t) as for PM but with uncentred y; crit.u = qchisq(0.975, k-1),
#   crit.l = qchisq(0.025, k-1); Qmin = Q(tau2.min), Qmax = Q(tau2.max).
#   upper bound: if Qmin < crit.l: lb = ub = tau2.min, both signs "<", ci.null = TRUE (empty
#                CI, gen_homog_identical); elif Qmax > crit.l: ub = tau2.max, ub.sign ">";
#                else ub = uniroot(Q(t) - crit.l, c(tau2.min, tau2.max), tol = 1.220703125e-4,
#                maxiter = 1000)$root
#   lower bound: if Qmax > crit.u: lb = ub = tau2.max (signs ">"); elif Qmin < crit.u: lb =
#                tau2.min (sign "" since tau2.min = 0); else lb = uniroot(Q(t) - crit.u, same)$root
#   tau = sqrt(.) of each; I2 bounds = 100 t/(vt + t), H2 bounds = 1 + t/vt with the fit's vt
#   (estimate rows = the fit's tau2, sqrt(tau2), I2, H2). The bounds are the same for REML and
#   DL (the CI does not depend on the estimator) except through tau2.max and the zeroin path:
#   normand1999_md DL (tau2 205.4) reports ub = tau2.max = 2054.09 with ub.sign ">" while REML
#   (tau2 684.6) finds ub = 2889.45; the CI then excludes the DL estimate (lb 292.9). Tolerance
#   2^-13 absolute: hine1989_rd ub = 6.1035e-05 (= 2^-14) vs 3.1662e-05 with tol 1e-12.
#   k = 1: error "Stopped because k = 1.".
#
# ---- R's uniroot -> zeroin (R 4.2 src/library/stats/src/zeroin.c, R_zeroin2) -------------------
#   uniroot(f, c(lo, hi), tol, maxiter): fa = f(lo), fb = f(hi) (error if same sign), then
#     a = lo, b = hi, c = a, fc = fa; if fa == 0 return a; if fb == 0 return b
#     repeat maxiter + 1 times:
#       prev = b - a
#       if |fc| < |fb|: (a, b, c) = (b, c, b); (fa, fb, fc) = (fb, fc, fb)
#       tol_act = 2 DBL_EPSILON |b| + tol/2; new = (c - b)/2
#       if |new| <= tol_act or fb == 0: return b
#       if |prev| >= tol_act and |fa| > |fb|:
#         cb = c - b
#         if a == c: t1 = fb/fa; p = cb t1; q = 1 - t1                      (secant)
#         else: q = fa/fc; t1 = fb/fc; t2 = fb/fa                           (inverse quadratic)
#               p = t2 (cb q (q - t1) - (b - a)(t1 - 1)); q = (q - 1)(t1 - 1)(t2 - 1)
#         if p > 0: q = -q else p = -p
#         if p < 0.75 cb q - |tol_act q|/2 and p < |prev q/2|: new = p/q
#       if |new| < tol_act: new = sign(new) tol_act   (+tol_act when new > 0, else -tol_act)
#       a = b; fa = fb; b = b + new; fb = f(b)
#       if (fb > 0 and fc > 0) or (fb < 0 and fc < 0): c = a; fc = fa
#     (not converged: returns b with a warning; never happens here)
#
# ---- rma.mh (Mantel-Haenszel; add = c(1/2, 0), to = c("only0", "none"), drop00 = c(TRUE, FALSE))
#   The MH estimate uses the RAW tables (second elements: nothing added, nothing dropped);
#   N = n1 + n2 per table.
#   OR: R = sum(a d/N), S = sum(b c/N), Pi = (a + d)/N, Qi = (b + c)/N; b = log(R/S);
#       se = sqrt(1/2 (sum(Pi a d/N)/R^2 + sum(Pi b c/N + Qi a d/N)/(R S) + sum(Qi b c/N)/S^2))
#       (Robins-Breslow-Greenland); NA if R or S is 0.
#   RR: R = sum(a n2/N), S = sum(c n1/N); b = log(R/S);
#       se = sqrt(sum((n1/N)(n2/N)(a + c) - (a/N) c) / (R S)); NA if sum(a) or sum(c) is 0.
#   RD: D = sum(n1 n2/N); b = sum(a n2/N - c n1/N)/D;
#       se = sqrt((b sum(c (n1/N)^2 - a (n2/N)^2 + (n1/N)(n2/N)(n2 - n1)/2)
#                  + sum(a (n2 - c)/N + c (n1 - a)/N)/2) / D^2)       (Sato, Greenland & Robins)
#       (a 0/0 table still adds n1 n2/N to D and terms to se: not neutral for RD)
#   zval = b/se, pval = 2 pnorm(-|zval|), CI = b -+ qnorm(0.975) se.
#   Heterogeneity: yi/vi = escalc(measure, add = 1/2, to = "only0", drop00 = TRUE) (so 0/0 and
#   all-event tables are NA, warning "Some yi/vi values are NA."), k.yi = number non-NA;
#   QE = max(0, sum((yi - b_MH)^2/vi)) around the MH estimate, QEp = pchisq(QE, k.yi - 1, upper);
#   I2 = max(0, 100 (QE - (k.yi-1))/QE), H2 = QE/(k.yi - 1); k.yi <= 1: 0, 1, 0, 1.
#   OR only: xt = a + c, yt = b + d, dev = |sum(a - (n1/N) xt)| - 1/2 (correct = TRUE);
#     CO = dev^2 / sum((n1/N)(n2/N) xt yt/N), MH (CMH) = dev^2 / sum((n1/N)(n2/N) xt yt/(N - 1)),
#     p = pchisq(., 1, upper); BD / TA (Breslow-Day / Tarone) from N11 = ((A - B)/(2(psi - 1))),
#     psi = exp(b), A = psi (n1 + xt) + (n2 - xt), B = sqrt(A^2 - 4 n1 xt psi (psi - 1)), over
#     tables with N11 > 0, xt > 0, yt > 0 (k.pos of them), df k.pos - 1 (see rma.mh.r).
#
# ---- rma.peto (add = c(1/2, 0), to = c("only0", "none"), drop00 = c(TRUE, FALSE)) ---------------
#   Raw tables: E = xt n1/N, V = xt yt (n1/N)(n2/N)/(N - 1); b = sum(a - E)/sum(V),
#   se = 1/sqrt(sum(V)); z, p, CI as above. QE = max(0, sum over V > 0 of (a - E)^2/V -
#   (sum(a - E))^2 / sum over V > 0 of V). k.pos = #(V > 0); k.yi = number of non-NA
#   escalc("PETO", add = 1/2, to = "only0", drop00 = TRUE) yi; if k.pos > 1: QEp = pchisq(QE,
#   k.yi - 1, upper), I2 = max(0, 100 (QE - (k.yi-1))/QE), H2 = QE/(k.yi - 1); else QEp = 1,
#   I2 = 0, H2 = 1. (Measure "PETO" in rma() instead pools escalc's PETO yi/vi by inverse
#   variance, with +1/2 added to tables with a zero cell: case egger2001_peto.)
#
# ---- Cases ---------------------------------------------------------------------------------------
# bcg_rr (13), lee2004_rr (16), egger2001_or (16, incl. ISIS-4 = last row), egger2001_or_no_isis4
# (15), egger2001_peto / _no_isis4 (measure PETO), hine1989_rd (6), linde2005_rr (the 24 trials with
# response data: rows with empty ai/ci are not in the input), normand1999_md / _smd / _rom (9);
# generated: gen_k2_rr, gen_homog_identical (yi all 0.25), gen_homog_underdispersed (Q < k-1),
# gen_zero_cells_{rr,or}[_drop00] (S1 ai = 0, S2 ci = 0, S3 0/15 vs 0/15, S7 10/10 events),
# gen_k1_rr.
# Headline (REML, z): bcg_rr b = -0.71453 (RR 0.489), se 0.17978, tau2 = 0.31324, I2 92.22 %,
# Q = 152.233 -- metafor's documented example; PROVENANCE.md's values (lee2004 RR 0.730, tau2
# 0.0554; linde2005 RR 1.788; normand MD -15.106, tau2 684.65, g -0.537; hine FE RD 0.0294; Peto
# OR egger 1.006 / 0.549 without ISIS-4) are reproduced.

suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})
source(file.path("tests", "reference", "lib", "common.R"))   # to_json, arr, sarr, jnum, pkg_version

# to_json of lib/common.R plus logical arrays: barr(x) -> [true,false,...]. (common.R's to_json
# calls to_json by name, so nested values come back here.)
to_json_common <- to_json
to_json <- function(x, indent = "") {
  if (inherits(x, "jbool"))
    return(paste0("[", paste(ifelse(unclass(x), "true", "false"), collapse = ","), "]"))
  to_json_common(x, indent)
}
barr <- function(x) structure(as.logical(x), class = "jbool")
`%||%` <- function(a, b) if (is.null(a)) b else a
num <- function(x) if (is.null(x)) NA_real_ else as.numeric(x)

METHODS <- c("REML", "ML", "DL", "PM", "SJ", "HE", "EB", "HS", "FE")
KNHA_METHODS <- c("REML", "DL")        # also fitted with test = "knha" and test = "adhoc"
CONFINT_METHODS <- c("REML", "DL")     # confint(res) (Q-profile) recorded
TIGHT_METHODS <- c("REML", "ML", "EB", "PM")
EPS <- .Machine$double.eps
TOL_CHECK <- 1e-9                      # by-hand vs metafor: |a - b| <= TOL_CHECK * max(1, |b|)

metadat_dir <- local({
  cand <- c(Sys.getenv("METADAT_DIR"), file.path("datasets", "metadat"),
            "/work/shared/datasets/metadat")
  cand <- cand[nzchar(cand) & dir.exists(cand)]
  if (length(cand) == 0) stop("metadat CSV directory not found (set METADAT_DIR)")
  cand[1]
})
read_metadat <- function(file) read.csv(file.path(metadat_dir, file), stringsAsFactors = FALSE)

# ================================================================================================
# Independent re-implementation of the header's formulas (a check, not the reference)
# ================================================================================================

# R's uniroot() -> C R_zeroin2 (Brent), transcribed from src/library/stats/src/zeroin.c.
zeroin <- function(f, ax, bx, tol, maxit) {
  fa <- f(ax); fb <- f(bx)
  if (sign(fa) * sign(fb) > 0) stop("f() values at end points not of opposite sign")
  a <- ax; b <- bx; c <- a; fc <- fa
  if (fa == 0) return(a)
  if (fb == 0) return(b)
  left <- maxit + 1
  while (left > 0) {
    left <- left - 1
    prev_step <- b - a
    if (abs(fc) < abs(fb)) {
      a <- b; b <- c; c <- a
      fa <- fb; fb <- fc; fc <- fa
    }
    tol_act <- 2 * EPS * abs(b) + tol / 2
    new_step <- (c - b) / 2
    if (abs(new_step) <= tol_act || fb == 0) return(b)
    if (abs(prev_step) >= tol_act && abs(fa) > abs(fb)) {
      cb <- c - b
      if (a == c) {
        t1 <- fb / fa; p <- cb * t1; q <- 1 - t1
      } else {
        q <- fa / fc; t1 <- fb / fc; t2 <- fb / fa
        p <- t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1))
        q <- (q - 1) * (t1 - 1) * (t2 - 1)
      }
      if (p > 0) q <- -q else p <- -p
      if (p < (0.75 * cb * q - abs(tol_act * q) / 2) && p < abs(prev_step * q / 2))
        new_step <- p / q
    }
    if (abs(new_step) < tol_act) new_step <- if (new_step > 0) tol_act else -tol_act
    a <- b; fa <- fb
    b <- b + new_step; fb <- f(b)
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) { c <- a; fc <- fa }
  }
  b   # not converged (uniroot warns); never reached here
}

# escalc for 2x2 counts with add = 1/2, to = "only0" and the given drop00.
bh_escalc_counts <- function(measure, ai, n1i, ci, n2i, drop00 = FALSE, add = 0.5) {
  bi <- n1i - ai; di <- n2i - ci
  id00 <- (ai == 0 & ci == 0) | (bi == 0 & di == 0)
  dropped <- if (drop00) id00 else rep(FALSE, length(ai))
  corrected <- !dropped & (ai == 0 | bi == 0 | ci == 0 | di == 0)
  a <- ai + add * corrected; b <- bi + add * corrected
  c <- ci + add * corrected; d <- di + add * corrected
  n1 <- a + b; n2 <- c + d; p1 <- a / n1; p2 <- c / n2
  if (measure == "RR") { yi <- log(p1) - log(p2); vi <- 1/a - 1/n1 + 1/c - 1/n2 }
  if (measure == "OR") { yi <- log(p1/(1 - p1)) - log(p2/(1 - p2)); vi <- 1/a + 1/b + 1/c + 1/d }
  if (measure == "RD") { yi <- p1 - p2; vi <- p1*(1 - p1)/n1 + p2*(1 - p2)/n2 }
  if (measure == "PETO") {
    N <- n1 + n2; xt <- a + c; yt <- b + d
    E <- xt * n1 / N; V <- xt * yt * (n1/N) * (n2/N) / (N - 1)
    yi <- (a - E) / V; vi <- 1 / V
  }
  bad <- dropped | !is.finite(yi) | !is.finite(vi)
  yi[bad] <- NA; vi[bad] <- NA
  list(yi = yi, vi = vi, corrected = corrected, dropped = dropped | bad)
}

bh_escalc_means <- function(measure, m1i, sd1i, n1i, m2i, sd2i, n2i) {
  if (measure == "MD") { yi <- m1i - m2i; vi <- sd1i^2/n1i + sd2i^2/n2i }
  if (measure == "SMD") {
    m <- n1i + n2i - 2
    sp <- sqrt(((n1i - 1)*sd1i^2 + (n2i - 1)*sd2i^2) / m)
    J <- exp(lgamma(m/2) - log(sqrt(m/2)) - lgamma((m - 1)/2))
    yi <- J * (m1i - m2i) / sp
    vi <- 1/n1i + 1/n2i + yi^2 / (2*(n1i + n2i))
  }
  if (measure == "ROM") { yi <- log(m1i/m2i); vi <- sd1i^2/(n1i*m1i^2) + sd2i^2/(n2i*m2i^2) }
  list(yi = yi, vi = vi, corrected = rep(FALSE, length(yi)), dropped = rep(FALSE, length(yi)))
}

# P = W - w w' / sum(w) (intercept-only model), as a matrix.
pmat <- function(w) diag(w, length(w)) - tcrossprod(w) / sum(w)
# Q(tau2) = sum w (y - ybar_w)^2 with w = 1/(v + tau2)
qgen <- function(y, v, t) { w <- 1/(v + t); sum(w * (y - sum(w*y)/sum(w))^2) }

bh_tau2 <- function(y, v, method, control = list()) {
  k <- length(y)
  thr <- control$threshold %||% 1e-5
  maxiter <- control$maxiter %||% 100
  tol <- control$tol %||% EPS^0.25
  out <- list(tau2 = 0, se.tau2 = NA_real_, iter = NA_real_, warnings = character(0))
  if (method == "FE" || k == 1) return(out)
  ym <- y - mean(y)                         # metafor centres y first (ymci)
  w <- 1/v; sw <- sum(w); P <- pmat(w)
  Q <- sum(w * (ym - sum(w*ym)/sw)^2); trP <- sum(diag(P))
  he_raw <- (sum(ym^2) - sum(v)*(k - 1)/k) / (k - 1)
  if (method == "DL") {
    t <- max(0, (Q - (k - 1)) / trP)
    se <- sqrt(1/trP^2 * (2*(k - 1) + 4*t*trP + 2*t^2*sum(P*P)))
  }
  if (method == "HE") {
    t <- max(0, he_raw)
    P0 <- diag(k) - matrix(1/k, k, k); PV <- P0 %*% diag(v, k)
    se <- sqrt(1/(k - 1)^2 * (2*sum(PV*t(PV)) + 4*t*sum(diag(PV)) + 2*t^2*(k - 1)))
  }
  if (method == "HS") {
    t <- max(0, (Q - k) / sw)
    se <- sqrt(1/sw^2 * (2*(k - 1) + 4*t*trP + 2*t^2*sum(P*P)))
  }
  if (method == "SJ") {
    t0 <- sum(ym^2) / k
    w0 <- 1/(v + t0); P0 <- pmat(w0); PV <- P0 %*% diag(v, k)
    t <- max(0, t0 * sum(w0 * (ym - sum(w0*ym)/sum(w0))^2) / (k - 1))
    se <- sqrt(t0^2/(k - 1)^2 * (2*sum(PV*t(PV)) + 4*t*sum(PV*P0) + 2*t^2*sum(P0*P0)))
  }
  if (method == "PM") {
    f <- function(tt) qgen(ym, v, tt) - (k - 1)
    if (f(0) < 0) {
      t <- 0
    } else {
      tmax <- max(100, 10 * mad(y)^2)
      if (f(tmax) > 0) stop("Value of 'tau2.max' too low.")
      t <- zeroin(f, 0, tmax, tol, maxiter)
    }
    t <- max(0, t)
    se <- sqrt(2*k^2/(k - 1) / sum(1/(v + t))^2)
  }
  if (method %in% c("ML", "REML", "EB")) {
    t <- max(0, he_raw); iter <- 0; change <- thr + 1
    while (change > thr) {
      iter <- iter + 1; old <- t
      w <- 1/(v + t); sw <- sum(w); r <- ym - sum(w*ym)/sw
      if (method == "ML") adj <- (sum(w^2 * r^2) - sw) / sum(w^2)
      if (method == "REML") { Pt <- pmat(w); adj <- (sum(w^2 * r^2) - sum(diag(Pt))) / sum(Pt*Pt) }
      if (method == "EB") adj <- (sum(w * r^2) * k/(k - 1) - k) / sw
      while (t + adj < 0) adj <- adj / 2
      t <- t + adj
      change <- abs(old - t)
      if (iter > maxiter) stop("Fisher scoring algorithm did not converge.")
    }
    out$iter <- iter
    if (method %in% c("ML", "REML")) {
      ll <- function(tt) {
        w <- 1/(v + tt); b <- sum(w*ym)/sum(w); rss <- sum(w*(ym - b)^2)
        if (method == "ML") -k/2*log(2*pi) - sum(log(v + tt))/2 - rss/2
        else -(k - 1)/2*log(2*pi) - sum(log(v + tt))/2 - log(sum(w))/2 - rss/2
      }
      if (ll(0) - ll(t) > EPS^0.25 && t > thr) {
        t <- 0
        out$warnings <- "ll0check: tau2 set to 0"
      }
    }
    w <- 1/(v + t)
    if (method == "ML") se <- sqrt(2/sum(w^2))
    if (method == "REML") { Pt <- pmat(w); se <- sqrt(2/sum(Pt*Pt)) }
    if (method == "EB") se <- sqrt(2*k^2/(k - 1) / sum(w)^2)
  }
  out$tau2 <- t; out$se.tau2 <- se
  out
}

bh_fit <- function(y, v, method, test = "z", control = list()) {
  k <- length(y)
  if (k == 1 && test != "z") test <- "z"
  est <- bh_tau2(y, v, method, control)
  t <- est$tau2
  w <- 1/(v + t); sw <- sum(w)
  b <- sum(w*y)/sw; vb <- 1/sw
  s2w <- 1
  if (test %in% c("knha", "adhoc")) {
    rss <- sum(w*(y - b)^2)
    s2w <- if (rss <= EPS) 0 else rss/(k - 1)
    if (test == "adhoc") s2w <- max(1, s2w)
  }
  se <- sqrt(s2w * vb)
  z <- b/se
  if (test == "z") {
    crit <- qnorm(0.975); pval <- 2*pnorm(abs(z), lower.tail = FALSE)
  } else {
    crit <- qt(0.975, k - 1); pval <- 2*pt(abs(z), k - 1, lower.tail = FALSE)
  }
  if (k > 1) {
    w0 <- 1/v; ym <- y - mean(y)
    QE <- max(0, sum(w0*(ym - sum(w0*ym)/sum(w0))^2))
    QEp <- pchisq(QE, k - 1, lower.tail = FALSE)
    vt <- (k - 1) / (sum(w0) - sum(w0^2)/sum(w0))
    if (method == "FE") { I2 <- max(0, 100*(QE - (k - 1))/QE); H2 <- QE/(k - 1) }
    else { I2 <- 100*t/(vt + t); H2 <- t/vt + 1 }
  } else {
    QE <- 0; QEp <- 1; I2 <- 0; H2 <- 1; vt <- 0
  }
  pcrit <- crit
  list(b = b, se = se, zval = z, pval = pval, ci.lb = b - crit*se, ci.ub = b + crit*se,
       tau2 = t, se.tau2 = est$se.tau2, I2 = I2, H2 = H2, QE = QE, QEp = QEp, vt = vt,
       s2w = s2w, iter = est$iter, warnings = est$warnings,
       pi.lb = b - pcrit*sqrt(se^2 + t), pi.ub = b + pcrit*sqrt(se^2 + t),
       riley.lb = b - qt(0.975, max(1, k - 2))*sqrt(se^2 + t),
       riley.ub = b + qt(0.975, max(1, k - 2))*sqrt(se^2 + t))
}

# confint.rma.uni, type "QP", for an intercept-only model (y uncentred, as confint does).
bh_confint <- function(y, v, tau2, vt, tol = EPS^0.25, maxiter = 1000) {
  k <- length(y)
  tmin <- min(0, tau2); tmax <- max(100, 10*tau2, 10*tmin)
  cu <- qchisq(0.025, k - 1, lower.tail = FALSE); cl <- qchisq(0.025, k - 1)
  Qmax <- qgen(y, v, tmax); Qmin <- qgen(y, v, tmin)
  lb <- ub <- NA; ci.null <- FALSE; lbs <- ubs <- ""
  if (Qmin < cl) {
    lb <- ub <- tmin; lbs <- ubs <- "<"; if (tmin <= 0) ci.null <- TRUE
  } else if (Qmax > cl) {
    ub <- tmax; ubs <- ">"
  } else {
    ub <- zeroin(function(tt) qgen(y, v, tt) - cl, tmin, tmax, tol, maxiter)
  }
  if (Qmax > cu) {
    lb <- ub <- tmax; lbs <- ubs <- ">"
  } else if (Qmin < cu) {
    lb <- tmin; if (tmin > 0) lbs <- "<"
  } else {
    lb <- zeroin(function(tt) qgen(y, v, tt) - cu, tmin, tmax, tol, maxiter)
  }
  list(tau2 = c(tau2, lb, ub), I2 = 100*c(tau2, lb, ub)/(vt + c(tau2, lb, ub)),
       H2 = c(tau2, lb, ub)/vt + 1, ci.null = ci.null, lb.sign = lbs, ub.sign = ubs,
       tau2.min = tmin, tau2.max = tmax)
}

# rma.mh (add = c(1/2, 0), to = c("only0", "none"), drop00 = c(TRUE, FALSE), correct = TRUE)
bh_mh <- function(measure, ai, n1i, ci, n2i) {
  bi <- n1i - ai; di <- n2i - ci; N <- n1i + n2i
  es <- bh_escalc_counts(measure, ai, n1i, ci, n2i, drop00 = TRUE)
  if (measure == "OR") {
    Pi <- ai/N + di/N; Qi <- bi/N + ci/N; Ri <- (ai/N)*di; Si <- (bi/N)*ci
    R <- sum(Ri); S <- sum(Si)
    b <- log(R/S)
    se <- sqrt(0.5*(sum(Pi*Ri)/R^2 + sum(Pi*Si + Qi*Ri)/(R*S) + sum(Qi*Si)/S^2))
  }
  if (measure == "RR") {
    R <- sum(ai*(n2i/N)); S <- sum(ci*(n1i/N))
    b <- log(R/S)
    se <- sqrt(sum((n1i/N)*(n2i/N)*(ai + ci) - (ai/N)*ci) / (R*S))
  }
  if (measure == "RD") {
    D <- sum(n1i*(n2i/N))
    b <- sum(ai*(n2i/N) - ci*(n1i/N)) / D
    se <- sqrt((b*sum(ci*(n1i/N)^2 - ai*(n2i/N)^2 + (n1i/N)*(n2i/N)*(n2i - n1i)/2) +
                sum(ai*(n2i - ci)/N + ci*(n1i - ai)/N)/2) / D^2)
  }
  ok <- !is.na(es$yi); y <- es$yi[ok]; v <- es$vi[ok]; kk <- length(y)
  if (kk > 1) {
    QE <- max(0, sum((y - b)^2/v)); QEp <- pchisq(QE, kk - 1, lower.tail = FALSE)
    I2 <- max(0, 100*(QE - (kk - 1))/QE); H2 <- QE/(kk - 1)
  } else { QE <- 0; QEp <- 1; I2 <- 0; H2 <- 1 }
  z <- qnorm(0.975)
  out <- list(b = b, se = se, zval = b/se, pval = 2*pnorm(abs(b/se), lower.tail = FALSE),
              ci.lb = b - z*se, ci.ub = b + z*se, QE = QE, QEp = QEp, I2 = I2, H2 = H2)
  if (measure == "OR") {
    xt <- ai + ci; yt <- bi + di
    dev <- abs(sum(ai - (n1i/N)*xt)) - 0.5
    out$CO <- dev^2 / sum((n1i/N)*(n2i/N)*(xt*(yt/N)))
    out$MH <- dev^2 / sum((n1i/N)*(n2i/N)*(xt*(yt/(N - 1))))
  }
  out
}

# rma.peto (add = c(1/2, 0), to = c("only0", "none"), drop00 = c(TRUE, FALSE))
bh_peto <- function(ai, n1i, ci, n2i) {
  bi <- n1i - ai; di <- n2i - ci; N <- n1i + n2i
  xt <- ai + ci; yt <- bi + di
  E <- xt*n1i/N; V <- xt*yt*(n1i/N)*(n2i/N)/(N - 1)
  b <- sum(ai - E)/sum(V); se <- sqrt(1/sum(V))
  es <- bh_escalc_counts("PETO", ai, n1i, ci, n2i, drop00 = TRUE)
  kk <- sum(!is.na(es$yi)); kpos <- sum(V > 0)
  pos <- V > 0
  QE <- max(0, sum((ai - E)[pos]^2/V[pos]) - sum(ai - E)^2/sum(V[pos]))
  if (kpos > 1) {
    QEp <- pchisq(QE, kk - 1, lower.tail = FALSE)
    I2 <- max(0, 100*(QE - (kk - 1))/QE); H2 <- QE/(kk - 1)
  } else { QEp <- 1; I2 <- 0; H2 <- 1 }
  z <- qnorm(0.975)
  list(b = b, se = se, zval = b/se, pval = 2*pnorm(abs(b/se), lower.tail = FALSE),
       ci.lb = b - z*se, ci.ub = b + z*se, QE = QE, QEp = QEp, I2 = I2, H2 = H2)
}

# ---- comparison bookkeeping --------------------------------------------------------------------
MAXDIFF <- 0
MAXDIFF_WHERE <- ""
check_close <- function(where, a, b, tol = TOL_CHECK) {
  a <- as.numeric(a); b <- as.numeric(b)
  stopifnot(length(a) == length(b))
  for (i in seq_along(a)) {
    if (is.na(a[i]) && is.na(b[i])) next
    if (is.infinite(b[i]) && identical(a[i], b[i])) next
    if (is.na(a[i]) || is.na(b[i])) stop(sprintf("%s: %s vs metafor %s", where, a[i], b[i]))
    d <- abs(a[i] - b[i]) / max(1, abs(b[i]))
    if (d > MAXDIFF) { MAXDIFF <<- d; MAXDIFF_WHERE <<- where }
    if (d > tol) stop(sprintf("%s: by-hand %.17g vs metafor %.17g (rel diff %.3g)", where,
                              a[i], b[i], d))
  }
}

# ================================================================================================
# metafor calls
# ================================================================================================

# Run f(args) capturing warnings (verbatim messages), printed output (for verbose = TRUE) and
# errors (the result is then the condition).
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

# Iteration count printed by rma(verbose = TRUE) for ML/REML/EB (res has no iter element).
parse_iter <- function(output) {
  m <- regmatches(output, regexpr("converged after [0-9]+ iterations", output))
  if (length(m) == 0) return(NA_real_)
  as.numeric(gsub("[^0-9]", "", m[1]))
}

pred_record <- function(res, riley = FALSE) {
  p <- run_mf(predict, if (riley) list(res, pi.type = "riley") else list(res))
  if (inherits(p$res, "error"))
    return(list(error = conditionMessage(p$res), warnings = sarr(p$warnings)))
  r <- p$res
  out <- list(pred = num(r$pred), se = num(r$se), ci.lb = num(r$ci.lb), ci.ub = num(r$ci.ub),
              pi.lb = num(r$pi.lb), pi.ub = num(r$pi.ub), cr.lb = num(r$cr.lb),
              cr.ub = num(r$cr.ub), pi_df = num(r$pi.ddf))
  if (riley) out <- out[c("pi.lb", "pi.ub", "pi_df")]
  if (length(p$warnings)) out$warnings <- sarr(p$warnings)
  out
}

confint_record <- function(res, control = NULL) {
  args <- list(res)
  if (!is.null(control)) args$control <- control
  p <- run_mf(confint, args)
  if (inherits(p$res, "error"))
    return(list(error = conditionMessage(p$res), warnings = sarr(p$warnings)))
  rr <- p$res$random
  row <- function(n) list(estimate = num(rr[n, "estimate"]), ci.lb = num(rr[n, "ci.lb"]),
                          ci.ub = num(rr[n, "ci.ub"]))
  list(type = "QP", tol = if (is.null(control)) EPS^0.25 else control$tol,
       tau2.min = num(p$res$tau2.min), tau2.max = max(100, 10*res$tau2, 10*p$res$tau2.min),
       tau2 = row("tau^2"), tau = row("tau"), I2 = row("I^2(%)"), H2 = row("H^2"),
       ci.null = p$res$ci.null, lb.sign = p$res$lb.sign, ub.sign = p$res$ub.sign,
       warnings = sarr(p$warnings))
}

# One rma() fit -> record (metafor's numbers) and the by-hand check.
fit_record <- function(base_args, method, test, yi_used, vi_used, where) {
  args <- c(base_args, list(method = method, test = test, verbose = TRUE))
  f <- run_mf(rma, args)
  rec <- list(method = method, test = test)
  if (inherits(f$res, "error")) {
    rec$error <- conditionMessage(f$res)
    rec$warnings <- sarr(f$warnings)
    return(rec)
  }
  r <- f$res
  iter <- if (method %in% c("ML", "REML", "EB")) parse_iter(f$output) else NA_real_
  rec$test_used <- r$test
  rec$k <- num(r$k)
  rec$b <- num(r$b); rec$se <- num(r$se)
  if (r$test == "z") rec$zval <- num(r$zval) else { rec$tval <- num(r$zval) }
  rec$dfs <- num(r$ddf)
  rec$pval <- num(r$pval); rec$ci.lb <- num(r$ci.lb); rec$ci.ub <- num(r$ci.ub)
  rec$tau2 <- num(r$tau2); rec$se.tau2 <- num(r$se.tau2)
  rec$I2 <- num(r$I2); rec$H2 <- num(r$H2); rec$vt <- num(r$vt)
  rec$QE <- num(r$QE); rec$QEp <- num(r$QEp)
  rec$s2w <- if (r$test %in% c("knha", "adhoc")) num(r$s2w) else NA_real_
  rec$iter <- iter
  rec$predict <- pred_record(r)
  rec["predict_riley"] <- list(NULL); rec["confint"] <- list(NULL); rec["tight"] <- list(NULL)
  if (r$test == "z" && method %in% KNHA_METHODS)
    rec$predict_riley <- pred_record(r, riley = TRUE)
  if (test == "z" && method %in% CONFINT_METHODS) {
    rec$confint <- confint_record(r)
    if (is.null(rec$confint$error))
      rec$confint$tight <- confint_record(r, control = list(tol = 1e-12))[c("tau2", "I2", "H2")]
  }
  if (test == "z" && method %in% TIGHT_METHODS) {
    ctrl <- if (method == "PM") list(tol = 1e-12, maxiter = 10000) else
      list(threshold = 1e-10 * max(1, r$tau2), maxiter = 10000)
    g <- run_mf(rma, c(base_args, list(method = method, test = "z", verbose = TRUE,
                                       control = ctrl)))
    if (inherits(g$res, "error")) {
      rec$tight <- list(control = ctrl, error = conditionMessage(g$res))
    } else {
      rec$tight <- list(control = ctrl, tau2 = num(g$res$tau2), b = num(g$res$b),
                        se = num(g$res$se), iter = if (method == "PM") NA_real_ else
                          parse_iter(g$output))
      h <- bh_fit(yi_used, vi_used, method, "z", ctrl)
      check_close(paste(where, method, "tight"), c(h$tau2, h$b, h$se),
                  c(g$res$tau2, g$res$b, g$res$se))
      if (method != "PM") stopifnot(identical(as.numeric(h$iter), rec$tight$iter))
    }
  }
  rec$warnings <- sarr(f$warnings)

  # ---- by-hand check -----------------------------------------------------------------------
  h <- bh_fit(yi_used, vi_used, method, test)
  w <- paste(where, method, test)
  check_close(paste(w, "b/se/stat/p/ci"), c(h$b, h$se, h$zval, h$pval, h$ci.lb, h$ci.ub),
              c(r$b, r$se, r$zval, r$pval, r$ci.lb, r$ci.ub))
  check_close(paste(w, "tau2/se.tau2"), c(h$tau2, h$se.tau2), c(r$tau2, r$se.tau2))
  check_close(paste(w, "I2/H2/QE/QEp/vt"), c(h$I2, h$H2, h$QE, h$QEp, h$vt),
              c(r$I2, r$H2, r$QE, r$QEp, r$vt))
  if (r$test != "z") check_close(paste(w, "s2w"), h$s2w, r$s2w)
  stopifnot(identical(as.numeric(h$iter), iter))
  stopifnot(identical(length(h$warnings) > 0, any(grepl("local maximum", f$warnings))))
  if (method != "FE" && is.null(rec$predict$error))
    check_close(paste(w, "pi"), c(h$pi.lb, h$pi.ub), c(rec$predict$pi.lb, rec$predict$pi.ub))
  if (!is.null(rec$predict_riley) && is.null(rec$predict_riley$error))
    check_close(paste(w, "riley pi"), c(h$riley.lb, h$riley.ub),
                c(rec$predict_riley$pi.lb, rec$predict_riley$pi.ub))
  if (!is.null(rec$confint) && is.null(rec$confint$error)) {
    cb <- bh_confint(yi_used, vi_used, r$tau2, r$vt)
    check_close(paste(w, "confint"), c(cb$tau2, cb$I2, cb$H2),
                c(unlist(rec$confint$tau2), unlist(rec$confint$I2), unlist(rec$confint$H2)))
    stopifnot(cb$ci.null == rec$confint$ci.null, cb$lb.sign == rec$confint$lb.sign,
              cb$ub.sign == rec$confint$ub.sign)
    ct <- bh_confint(yi_used, vi_used, r$tau2, r$vt, tol = 1e-12)
    check_close(paste(w, "confint tight"), ct$tau2, unlist(rec$confint$tight$tau2))
  }
  rec
}

mh_record <- function(measure, ai, n1i, ci, n2i, where) {
  f <- run_mf(rma.mh, list(measure = measure, ai = ai, n1i = n1i, ci = ci, n2i = n2i))
  if (inherits(f$res, "error"))
    return(list(measure = measure, error = conditionMessage(f$res), warnings = sarr(f$warnings)))
  r <- f$res
  rec <- list(measure = measure, k = num(r$k), k.yi = num(r$k.yi),
              b = num(r$b), se = num(r$se), zval = num(r$zval), pval = num(r$pval),
              ci.lb = num(r$ci.lb), ci.ub = num(r$ci.ub),
              QE = num(r$QE), QEp = num(r$QEp), I2 = num(r$I2), H2 = num(r$H2),
              CO = num(r$CO), COp = num(r$COp), MH = num(r$MH), MHp = num(r$MHp),
              BD = num(r$BD), BDp = num(r$BDp), TA = num(r$TA), TAp = num(r$TAp),
              k.pos = num(r$k.pos),
              escalc_yi = arr(r$yi.f), escalc_vi = arr(r$vi.f),
              warnings = sarr(f$warnings))
  h <- bh_mh(measure, ai, n1i, ci, n2i)
  check_close(paste(where, "MH"), unlist(h), unlist(rec[names(h)]))
  rec
}

peto_record <- function(ai, n1i, ci, n2i, where) {
  f <- run_mf(rma.peto, list(ai = ai, n1i = n1i, ci = ci, n2i = n2i))
  if (inherits(f$res, "error"))
    return(list(error = conditionMessage(f$res), warnings = sarr(f$warnings)))
  r <- f$res
  rec <- list(k = num(r$k), k.yi = num(r$k.yi), k.pos = num(r$k.pos),
              b = num(r$b), se = num(r$se), zval = num(r$zval), pval = num(r$pval),
              ci.lb = num(r$ci.lb), ci.ub = num(r$ci.ub),
              QE = num(r$QE), QEp = num(r$QEp), I2 = num(r$I2), H2 = num(r$H2),
              escalc_yi = arr(r$yi.f), escalc_vi = arr(r$vi.f),
              warnings = sarr(f$warnings))
  h <- bh_peto(ai, n1i, ci, n2i)
  check_close(paste(where, "Peto"), unlist(h), unlist(rec[names(h)]))
  rec
}

# ================================================================================================
# Cases
# ================================================================================================

cases <- list()

all_fits <- function(base_args, yi_used, vi_used, name) {
  fits <- list()
  for (m in METHODS) {
    fits[[length(fits) + 1]] <- fit_record(base_args, m, "z", yi_used, vi_used, name)
    if (m %in% KNHA_METHODS)
      for (tt in c("knha", "adhoc"))
        fits[[length(fits) + 1]] <- fit_record(base_args, m, tt, yi_used, vi_used, name)
  }
  fits
}

summarise_case <- function(name, fits, extra = "") {
  g <- function(m, t = "z") Filter(function(f) f$method == m && f$test == t, fits)[[1]]
  r <- g("REML"); d <- g("DL"); fe <- g("FE"); kh <- g("REML", "knha")
  if (!is.null(r$error)) { cat(sprintf("%-26s REML error: %s\n", name, r$error)); return() }
  cat(sprintf(paste("%-26s k=%d FE b=%.4f se=%.4f | DL b=%.4f tau2=%.4f | REML b=%.4f se=%.4f",
                    "ci=[%.4f,%.4f] tau2=%.4f I2=%.2f Q=%.4f pi=[%.4f,%.4f] | knha ci=[%.4f,%.4f]",
                    "pi=[%.4f,%.4f]%s\n"),
              name, as.integer(r$k), fe$b, fe$se, d$b, d$tau2, r$b, r$se, r$ci.lb, r$ci.ub,
              r$tau2, r$I2, r$QE, r$predict$pi.lb, r$predict$pi.ub, kh$ci.lb, kh$ci.ub,
              kh$predict$pi.lb, kh$predict$pi.ub, extra))
}

add_count_case <- function(name, description, source, measure, study, ai, n1i, ci, n2i,
                           drop00 = FALSE, mh = measure %in% c("RR", "OR", "RD"),
                           peto = measure %in% c("OR", "PETO")) {
  stopifnot(length(ai) == length(n1i), length(ci) == length(n2i), length(ai) == length(ci),
            !anyNA(c(ai, n1i, ci, n2i)), all(ai <= n1i), all(ci <= n2i))
  ai <- as.numeric(ai); n1i <- as.numeric(n1i); ci <- as.numeric(ci); n2i <- as.numeric(n2i)
  es <- run_mf(escalc, list(measure = measure, ai = ai, n1i = n1i, ci = ci, n2i = n2i,
                            drop00 = drop00))
  yi <- as.numeric(es$res$yi); vi <- as.numeric(es$res$vi)
  h <- bh_escalc_counts(measure, ai, n1i, ci, n2i, drop00 = drop00)
  check_close(paste(name, "escalc"), c(h$yi, h$vi), c(yi, vi))
  stopifnot(identical(is.na(yi), h$dropped))
  used <- !is.na(yi)
  base_args <- list(measure = measure, ai = ai, n1i = n1i, ci = ci, n2i = n2i, drop00 = drop00)
  fits <- all_fits(base_args, yi[used], vi[used], name)
  # rma(measure = ..., counts) is the same model as rma(yi, vi) on the escalc output
  chk <- rma(yi[used], vi[used], method = "REML")
  reml <- fits[[1]]
  if (is.null(reml$error)) check_close(paste(name, "rma(yi,vi) = rma(counts)"),
                                       c(chk$b, chk$tau2), c(reml$b, reml$tau2), 1e-13)
  cases[[length(cases) + 1]] <<- list(
    name = name, description = description, source = source, input = "counts",
    measure = measure, study = sarr(study),
    data = list(ai = arr(ai), n1i = arr(n1i), ci = arr(ci), n2i = arr(n2i)),
    escalc = list(call = sprintf(paste0("escalc(\"%s\", ai, n1i = n1i, ci, n2i = n2i, add = 1/2,",
                                        " to = \"only0\", drop00 = %s)"), measure, drop00),
                  add = 0.5, to = "only0", drop00 = drop00,
                  yi = arr(yi), vi = arr(vi), corrected = barr(h$corrected),
                  dropped = barr(!used), warnings = sarr(es$warnings)),
    fits = fits,
    mh = if (mh) mh_record(measure, ai, n1i, ci, n2i, name) else NULL,
    peto = if (peto) peto_record(ai, n1i, ci, n2i, name) else NULL)
  summarise_case(name, fits, sprintf(" corrected=%s dropped=%s",
                                     paste(which(h$corrected), collapse = ","),
                                     paste(which(!used), collapse = ",")))
}

add_means_case <- function(name, description, source, measure, study, m1i, sd1i, n1i, m2i, sd2i,
                           n2i) {
  es <- run_mf(escalc, list(measure = measure, m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i,
                            sd2i = sd2i, n2i = n2i))
  yi <- as.numeric(es$res$yi); vi <- as.numeric(es$res$vi)
  h <- bh_escalc_means(measure, m1i, sd1i, n1i, m2i, sd2i, n2i)
  check_close(paste(name, "escalc"), c(h$yi, h$vi), c(yi, vi))
  base_args <- list(measure = measure, m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i,
                    sd2i = sd2i, n2i = n2i)
  fits <- all_fits(base_args, yi, vi, name)
  cases[[length(cases) + 1]] <<- list(
    name = name, description = description, source = source, input = "means",
    measure = measure, study = sarr(study),
    data = list(m1i = arr(m1i), sd1i = arr(sd1i), n1i = arr(n1i),
                m2i = arr(m2i), sd2i = arr(sd2i), n2i = arr(n2i)),
    escalc = list(call = sprintf("escalc(\"%s\", m1i, sd1i, n1i, m2i, sd2i, n2i)  (vtype = \"LS\")",
                                 measure),
                  yi = arr(yi), vi = arr(vi), corrected = barr(rep(FALSE, length(yi))),
                  dropped = barr(rep(FALSE, length(yi))), warnings = sarr(es$warnings)),
    fits = fits, mh = NULL, peto = NULL)
  summarise_case(name, fits)
}

add_generic_case <- function(name, description, study, yi, vi) {
  base_args <- list(yi = yi, vi = vi)
  fits <- all_fits(base_args, yi, vi, name)
  cases[[length(cases) + 1]] <<- list(
    name = name, description = description, source = "generated", input = "generic",
    measure = "GEN", study = sarr(study),
    data = list(yi = arr(yi), vi = arr(vi)),
    escalc = list(call = "none (yi, vi given)", yi = arr(yi), vi = arr(vi),
                  corrected = barr(rep(FALSE, length(yi))), dropped = barr(rep(FALSE, length(yi))),
                  warnings = sarr(character(0))),
    fits = fits, mh = NULL, peto = NULL)
  summarise_case(name, fits)
}

# ---- metadat data sets -------------------------------------------------------------------------
bcg <- read_metadat("dat_bcg.csv")
stopifnot(nrow(bcg) == 13)
add_count_case("bcg_rr",
  paste("dat_bcg.csv (BCG vaccine, Colditz 1994): log risk ratio of TB, ai = tpos, n1i = tpos +",
        "tneg (vaccinated), ci = cpos, n2i = cpos + cneg; rows in file order"),
  "metadat dat_bcg.csv", "RR", paste(bcg$author, bcg$year), bcg$tpos, bcg$tpos + bcg$tneg,
  bcg$cpos, bcg$cpos + bcg$cneg, peto = TRUE)

lee <- read_metadat("dat_lee2004.csv")
stopifnot(nrow(lee) == 16)
add_count_case("lee2004_rr",
  paste("dat_lee2004.csv (P6 acupoint stimulation vs sham, postoperative nausea): log risk ratio,",
        "ai/n1i = nausea/total P6, ci/n2i = sham"),
  "metadat dat_lee2004.csv", "RR", paste(lee$study, lee$year), lee$ai, lee$n1i, lee$ci, lee$n2i)

egg <- read_metadat("dat_egger2001.csv")
stopifnot(nrow(egg) == 16, egg$study[16] == "ISIS-4")
add_count_case("egger2001_or",
  paste("dat_egger2001.csv (IV magnesium after MI, deaths): log odds ratio, all 16 trials incl.",
        "ISIS-4 (last row); Bertschat 1989 has ai = 0 (corrected)"),
  "metadat dat_egger2001.csv", "OR", paste(egg$study, egg$year), egg$ai, egg$n1i, egg$ci, egg$n2i)
ne <- egg$study != "ISIS-4"
add_count_case("egger2001_or_no_isis4",
  "as egger2001_or without ISIS-4 (study == \"ISIS-4\"), 15 trials",
  "metadat dat_egger2001.csv", "OR", paste(egg$study, egg$year)[ne], egg$ai[ne], egg$n1i[ne],
  egg$ci[ne], egg$n2i[ne])
add_count_case("egger2001_peto",
  paste("dat_egger2001.csv, all 16 trials, measure \"PETO\" (Peto's log odds ratio per study,",
        "then the usual rma() fits on those yi/vi); also rma.peto"),
  "metadat dat_egger2001.csv", "PETO", paste(egg$study, egg$year), egg$ai, egg$n1i, egg$ci,
  egg$n2i)
add_count_case("egger2001_peto_no_isis4",
  "as egger2001_peto without ISIS-4, 15 trials",
  "metadat dat_egger2001.csv", "PETO", paste(egg$study, egg$year)[ne], egg$ai[ne], egg$n1i[ne],
  egg$ci[ne], egg$n2i[ne])

hine <- read_metadat("dat_hine1989.csv")
stopifnot(nrow(hine) == 6)
add_count_case("hine1989_rd",
  "dat_hine1989.csv (prophylactic lidocaine vs control after MI, deaths): risk difference",
  "metadat dat_hine1989.csv", "RD", hine$source, hine$ai, hine$n1i, hine$ci, hine$n2i)

linde <- read_metadat("dat_linde2005.csv")
stopifnot(nrow(linde) == 26)
lk <- !is.na(linde$ai)
stopifnot(sum(lk) == 24)
add_count_case("linde2005_rr",
  paste("dat_linde2005.csv (St John's wort vs placebo, responders): log risk ratio; the 24 trials",
        "with response data (rows with empty ai/ci, Harrer 1991 and Bjerkenstedt, left out of the",
        "input). Halama 1991 has ci = 0 (corrected) and Osterheider 1992 has 0/22 vs 0/23",
        "(double zero: +1/2 and KEPT by escalc/rma with drop00 = FALSE, yi =",
        "log((0.5/23)/(0.5/24)) = log(24/23); left out of rma.mh's Q, which uses drop00 = TRUE)"),
  "metadat dat_linde2005.csv", "RR", paste(linde$study, linde$year)[lk], linde$ai[lk],
  linde$n1i[lk], linde$ci[lk], linde$n2i[lk])

nor <- read_metadat("dat_normand1999.csv")
stopifnot(nrow(nor) == 9)
for (ms in c("MD", "SMD", "ROM")) {
  add_means_case(paste0("normand1999_", tolower(ms)),
    paste("dat_normand1999.csv (specialist stroke care vs routine, length of stay in days):",
          c(MD = "raw mean difference", SMD = "standardised mean difference (Hedges' g)",
            ROM = "log ratio of means")[[ms]], "group 1 = specialist (m1i, sd1i, n1i)"),
    "metadat dat_normand1999.csv", ms, nor$source, nor$m1i, nor$sd1i, nor$n1i, nor$m2i,
    nor$sd2i, nor$n2i)
}

# ---- generated ---------------------------------------------------------------------------------
add_count_case("gen_k2_rr",
  "generated: k = 2 studies, log risk ratio (knha/PI use t with 1 df; Riley PI df max(1, k-2) = 1)",
  "generated", "RR", c("S1", "S2"), c(12, 5), c(100, 60), c(20, 15), c(100, 58), peto = TRUE)

add_generic_case("gen_homog_identical",
  paste("generated: identical yi = 0.25 with unequal vi: Q = 0, every tau2 estimator = 0 (SJ's",
        "start value is 0 too), knha s2w = 0 (so se = 0, tval = Infinity, CI and PI collapse to",
        "b), confint CI null set"),
  paste0("S", 1:6), rep(0.25, 6), c(0.01, 0.02, 0.04, 0.05, 0.08, 0.10))

add_generic_case("gen_homog_underdispersed",
  paste("generated: under-dispersed yi (Q < k - 1 but > the lower chi2 quantile): tau2 truncated",
        "to 0 by DL/HE/HS/PM/EB, ML/REML step-halve to 0; SJ stays > 0; confint lower bound 0"),
  paste0("S", 1:6), c(0.02, 0.55, 0.20, 0.38, 0.06, 0.32), c(0.04, 0.05, 0.03, 0.06, 0.05, 0.04))

zc <- list(ai = c(0, 2, 0, 5, 7, 1, 10), n1i = c(20, 25, 15, 40, 50, 30, 10),
           ci = c(3, 0, 0, 9, 12, 4, 8), n2i = c(20, 24, 15, 41, 50, 30, 10))
zc_desc <- paste("generated zero cells: S1 ai = 0, S2 ci = 0, S3 0/15 vs 0/15 (double zero),",
                 "S6 fine, S7 10/10 events (bi = 0)")
for (ms in c("RR", "OR")) for (d00 in c(FALSE, TRUE)) {
  add_count_case(paste0("gen_zero_cells_", tolower(ms), if (d00) "_drop00" else ""),
    paste0(zc_desc, "; ", ms, if (d00)
      ", escalc/rma with drop00 = TRUE: S3 is NA and omitted by rma (warning)" else
      ", metafor defaults (drop00 = FALSE): S3 corrected (+1/2) and kept by rma"),
    "generated", ms, paste0("S", 1:7), zc$ai, zc$n1i, zc$ci, zc$n2i, drop00 = d00,
    peto = TRUE)
}

add_count_case("gen_k1_rr",
  paste("generated: one study (k = 1), log risk ratio: every method gives tau2 = 0, QE = 0,",
        "QEp = 1, I2 = 0, H2 = 1, se.tau2 = null; knha falls back to z with a warning; confint",
        "errors"),
  "generated", "RR", "S1", 8, 50, 15, 50, peto = TRUE)

cat(sprintf("by-hand check: max relative difference %.3g (%s)\n", MAXDIFF, MAXDIFF_WHERE))

meta <- list(
  generated_by = "tests/reference/meta.R",
  r_version = R.version.string,
  metafor = pkg_version("metafor"),
  jsonlite = pkg_version("jsonlite"),
  metadat = "CSV exports of R package metadat 1.2-0 (dat_*.csv, see PROVENANCE.md there)",
  by_hand_max_rel_diff = MAXDIFF,
  note = paste("metafor 3.8-1 escalc / rma.uni / predict.rma / confint.rma.uni / rma.mh /",
               "rma.peto with their defaults (level 95); see the header of meta.R for every call,",
               "the JSON layout and the formulas. 17 significant digits; NA/NaN -> null,",
               "+-Inf -> \"Infinity\"/\"-Infinity\".")
)
writeLines(to_json(list(meta = meta, cases = cases)), file.path("tests", "reference", "meta.json"))
