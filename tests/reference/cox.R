# Reference values for src/stats/cox.rs: Cox proportional-hazards regression (Efron and Breslow
# ties) and the proportional-hazards test, as R's survival package (Debian r-cran-survival 3.5-3)
# computes them with coxph / summary.coxph / cox.zph.
#
# Run from the repository root:  Rscript tests/reference/cox.R
# Writes tests/reference/cox.json. Every number is written with 17 significant digits (jnum from
# lib/common.R), so inputs round-trip exactly and outputs can be compared at ~1e-12. R's NA / NaN
# is written as null, +-Inf as "Infinity" / "-Infinity". tests/reference/cox.py (lifelines,
# second source) reads the inputs from cox.json.
#
# ---- Calls -------------------------------------------------------------------------------------
# For every case, with d = data.frame(time, event, <covariates>, [stratum]) where a "factor"
# covariate is factor(values, levels = levels) (first level = reference, treatment contrasts)
# and a "numeric" covariate is numeric, and for TIES in "efron", "breslow":
#   fit <- coxph(Surv(time, event) ~ cov1 + cov2 + ... [+ strata(stratum)], data = d,
#                ties = TIES, x = TRUE)          (otherwise R's defaults: coxph.control(),
#                                                 nocenter = c(-1, 0, 1), timefix = TRUE; all
#                                                 times here are integers, so timefix never acts)
#   s   <- summary(fit)                          (conf.int = 0.95)
#   zph <- cox.zph(fit)                          (transform = "km", terms = TRUE, global = TRUE)
# Warnings are caught with withCallingHandlers (coxph and summary; those of cox.zph, if any, are
# added with the prefix "cox.zph: "). The script re-derives every fitted number with the
# independent R implementation of the algorithm below (cox_by_hand, zph_by_hand: uncentred X,
# solve() instead of cholesky2) and stops if they disagree: iter exactly, loglik 1e-12, coef,
# var and the score test 1e-9, the zph chi-squares 1e-6 relative. (Observed: <= 2e-13, zph of
# the monotone case 8e-8 -- its J is nearly singular; even the drifting monotone coef and se
# agree to 2e-15, because the NR path is the same.)
#
# ---- cox.json ----------------------------------------------------------------------------------
# { "meta": {generated_by, r_version, survival, note},
#   "cases": [ { "name", "description",
#       "time": [..], "event": [0/1 ..],        inputs, one entry per subject, data row order
#       "strata": null or [string labels],       strata(stratum) term when not null
#       "covariates": [ {"name", "kind": "numeric", "values": [..]}
#                     | {"name", "kind": "factor", "values": [string ..],
#                        "levels": [reference first, ...]} ],      in formula order
#       "fits": [ { "ties": "efron" | "breslow",
#                   "terms":  R's coefficient names (factor: name + level, e.g. "trt2")
#                   "coef", "se" (sqrt(diag(fit$var))), "var" (fit$var, list of rows),
#                   "hr" (exp(coef)), "hr_lower", "hr_upper" (s$conf.int "lower .95" /
#                   "upper .95" = exp(coef -+ qnorm(0.975) se)), "z" (coef / se),
#                   "p" (s$coefficients "Pr(>|z|)" = pchisq(z^2, 1, lower = FALSE)),
#                   "loglik_null" (fit$loglik[1], at beta = 0), "loglik" (fit$loglik[2]),
#                   "iter" (fit$iter), "n" (fit$n), "nevent" (fit$nevent),
#                   "wald":  {chisq, df, p}  chisq = fit$wald.test UNROUNDED (s$waldtest
#                                            reports round(chisq, 2) as its "test" but computes
#                                            its p from the unrounded value); df, p of s$waldtest
#                   "lr":    {chisq, df, p}  s$logtest
#                   "score": {chisq, df, p}  s$sctest
#                   "warnings": [strings, verbatim; [] = none],
#                   "zph": {"terms": [{name, chisq, df, p}], "global": {chisq, df, p}}
#                          (zph$table rows; term names are the formula's term labels, e.g.
#                          "trt", not "trt2") or null, "zph_error": null or cox.zph's message
#                 } ] } ] }
#
# ---- The algorithm (survival 3.5-3: coxph -> coxph.fit -> C coxfit6; cholesky2, chsolve2, ----
# ---- chinv2; summary.coxph; coxph.wtest -> C coxph_wtest; cox.zph -> C zph1) ------------------
# Notation: subject i, time t_i, event e_i, covariate row x_i (model.matrix columns without the
# intercept: factor = 0/1 treatment dummies), eta_i = x_i'b, r_i = exp(eta_i) (case weights 1).
# Within each stratum separately (no strata: one stratum), at each distinct EVENT time t:
#   R(t) = {i in stratum: t_i >= t}  (censored at t are at risk: censorings after deaths)
#   D(t) = {i in stratum: t_i == t, e_i = 1}, d = |D(t)|
#   S0 = sum_R r, S1 = sum_R r x, S2 = sum_R r x x';  D0, D1, D2 = the same sums over D(t).
#   Breslow:  l += sum_D eta - d log S0
#             U += sum_D x   - d S1/S0
#             I += d (S2/S0 - S1 S1'/S0^2)
#   Efron:    for k = 0 .. d-1, f = k/d:  s0 = S0 - f D0, s1 = S1 - f D1, s2 = S2 - f D2
#             l += sum_D eta - sum_k log s0
#             U += sum_D x   - sum_k s1/s0
#             I += sum_k (s2/s0 - s1 s1'/s0^2)
#   (coxfit6 runs the k loop in the opposite order, adding D/d at a time to the sums over
#   R minus D; same terms.) d = 1: Efron = Breslow. Risk sets never cross strata; strata only
#   split the sums (common beta). l, U, I do not change when a column of x is shifted by a
#   constant (centering), so results are invariant to it up to rounding.
#
# Newton-Raphson (coxfit6), iter.max = 20, eps = 1e-9, toler.chol = .Machine$double.eps^0.75
# (= 1.8189894035458565e-12):
#   Preprocessing: every column of X whose values are NOT all in {-1, 0, 1} (nocenter) is
#   centered at its mean m and scaled by s = n / sum|x - m| (s = 1 if that sum is 0); 0/1
#   dummies are left alone. NR is affine-invariant, and the halving steps are convex
#   combinations, so the iterates map one-to-one and results do not depend on this except by
#   rounding and through the singularity threshold below (which sees the SCALED information).
#   coef, u, var are transformed back at the end. fit$linear.predictors = X b - sum(b * means).
#     beta = init = 0
#     (l0, U0, I0) = L(beta);  loglik[1] = l0
#     sctest = U0' I0^- U0                      the score test (cholesky2 + chsolve2)
#     best = l0;  new = beta + I0^- U0;  halving = 0
#     for iter = 1 .. iter.max:
#       (l, U, I) = L(new)                      at the candidate
#       if l, U, I all finite and |1 - best/l| <= eps:        CONVERGED (tested before halving,
#           coef = new, loglik[2] = l,                         so a decrease smaller than eps
#           var = I^-1 at coef (chinv2), u = U at coef,        relative also converges; then
#           fit$iter = iter; return                            flag = -2, harmless)
#       if not finite or l < best:                              STEP HALVING
#           halving += 1;  new = (new + halving * beta) / (halving + 1)
#                          (from the candidate that failed: 1st halving beta + step/2,
#                          2nd beta + step/6, 3rd beta + step/24, ...; step = the NR step
#                          that led away from beta)
#       else:                                                   ACCEPT, take the NR step
#           halving = 0;  best = l;  step = I^- U (I, U at new);  beta = new;  new = new + step
#     RAN OUT (flag = 1000): fit$iter = iter.max + 1 (the C loop counter), coef = the last
#       ACCEPTED beta, loglik[2] = l(beta) recomputed (if iter.max > 1), and -- quirk -- var =
#       chinv2 of the freshly recomputed, NOT factored I: diag(1 / I_jj(beta)) with zero
#       off-diagonals (checked: iter.max = 2 on pbc gives exactly that). Warning "Ran out of
#       iterations and did not converge" (plus "one or more coefficients may be infinite" if
#       max(lp) > 500 or any non-finite |u var|). No case here runs out.
#   So: the returned beta is the last NR candidate (no extra step after the test), var is the
#   inverse information at exactly that beta, and iter counts likelihood evaluations after the
#   one at beta = 0 (converging on the first candidate gives iter = 1).
#   Singular information: cholesky2 (LDL', no pivoting) sets a pivot to 0 when it is below
#   toler.chol * (largest diagonal element) (or not finite); chsolve2 then gives 0 for that
#   component (no step), chinv2 gives a zero row/column of var; coxph.fit sets such coefs to NA
#   (diag(var) == 0) and summary's df counts the non-NA coefs. No case here is singular.
#
# Monotone likelihood (coxph.fit, after coxfit6, only when iter.max > 1 and it converged):
#   infs = |u' var|   (u = score at the final coef, var = final variance: the next NR step)
#   flagged j: !is.finite(u_j) | (infs_j > eps & infs_j > toler.inf * |coef_j|),
#              toler.inf = sqrt(eps) = 3.1622776601683795e-05
#   warning(paste("Loglik converged before variable ", paste(j, collapse = ","),
#                 "; coefficient may be infinite. "))
#   i.e. verbatim "Loglik converged before variable  1 ; coefficient may be infinite. " (two
#   spaces before the index, one after, trailing space). The coef is NOT set to NA.
#   Typical course (case "monotone"): once in the monotone regime each NR step moves the coef by
#   about -1 and l rises by ~ C exp(coef), so |1 - best/l| <= 1e-9 is reached near coef ~ -19
#   after ~18 iterations; coef, se (huge: ~7.6e3) and var are those of that last candidate.
#
# Tests (summary.coxph; df = number of non-NA coefs for all three):
#   wald  = b' V^- b at the final b (coxph.wtest: cholesky2 of var with toler.chol, chsolve2)
#   lr    = 2 (loglik[2] - loglik[1]) = 2 (l(b) - l(0))
#   score = U(0)' I(0)^- U(0) (sctest above, at beta = init = 0)
#   p = pchisq(chisq, df, lower.tail = FALSE). Per coef: z = b/se, p = pchisq(z^2, 1, lower =
#   FALSE), CI exp(b -+ qnorm(0.975) se).
#
# cox.zph(fit) (transform = "km", terms = TRUE, global = TRUE), survival 3.5-3:
#   Time transform: the Kaplan-Meier curve S of ALL subjects pooled (strata ignored,
#   survfitKM(factor(rep(1, n)), y)) taken LEFT-continuous: g_i = 1 - S(t_i-), S(t-) = product
#   over distinct event times u < t of (1 - d_u / n_u) (findInterval(times, km$time,
#   left.open = TRUE)); g = 0 for events at the first time. Centered: g_i <- g_i - mean(g_j over
#   subjects j with e_j = 1) (unweighted; tied events each count).
#   zph1 at the fitted b (eta = fit$linear.predictors; the C code re-centers X columns, no
#   effect), with the same risk sets and the same Efron/Breslow increments as L() above; for the
#   event time t write dU(t) and dI(t) for that time's increments of U and I. Then
#       u2  = sum_t g(t) dU(t)              (p-vector: score for the x * g(t) interaction)
#       J   = [ I11 I12 ; I12' I22 ],  I11 = sum_t dI(t) = I(b),  I12 = sum_t g(t) dI(t),
#             I22 = sum_t g(t)^2 dI(t)      (2p x 2p information of (b, gamma) at gamma = 0)
#   For Efron ties the increments are the Efron ones (the k loop), all with the same g(t).
#   Per term j with columns c_j (a factor term has one column per non-reference level):
#       kk = c(1:p, p + c_j);  w = c(rep(0, p), u2[c_j])  (the beta score is SET to 0)
#       chisq_j = w' solve(J[kk, kk]) w = u2_c' (I22_cc - I12_.c' I11^-1 I12_.c)^-1 u2_c,
#       df_j = |c_j|
#   Global: w = c(rep(0, p), u2); chisq = w' solve(J) w, df = p. p = pchisq(chisq, df, FALSE).
#   (solve() is LU; a singular J makes cox.zph fail -> "zph": null with "zph_error".)
#
# ---- Cases -------------------------------------------------------------------------------------
# pbc_*: datasets/pbc_mayo/pbc.csv, the 312 randomised subjects (trt not NA), time = days,
#   event = status == 2 (death; transplant = 1 and 0 censored). trt: 1 = D-penicillamine
#   (reference), 2 = placebo (PROVENANCE.md), so trt2 = log HR placebo vs D-penicillamine.
# cdisc_adtte*: datasets/cdisc_pilot01/adtte.csv (TTDE), time = AVAL, event = 1 - CNSR.
# ties_generated, monotone, zero_time_events: synthetic (set.seed / hand-written below).

suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
source(file.path("tests", "reference", "lib", "common.R"))   # jnum, pkg_version

# JSON: to_json, arr and sarr of lib/common.R.

EPS <- 1e-9
ITER_MAX <- 20L

# ---- Independent re-implementation of the header's algorithm (a check, not the reference) ------
# Loglik, score and information at beta; with g (per subject, centred KM transform) also the
# zph1 blocks u2, I12, I22.
cox_sums <- function(beta, time, event, X, strata, efron, g = NULL) {
  p <- ncol(X)
  eta <- drop(X %*% beta)
  r <- exp(eta)
  ll <- 0; u <- numeric(p); I <- matrix(0, p, p)
  u2 <- numeric(p); I12 <- matrix(0, p, p); I22 <- matrix(0, p, p)
  for (s in unique(strata)) {
    idx <- which(strata == s)
    for (t in sort(unique(time[idx][event[idx] == 1]))) {
      R <- idx[time[idx] >= t]
      D <- idx[time[idx] == t & event[idx] == 1]
      d <- length(D)
      XR <- X[R, , drop = FALSE]; XD <- X[D, , drop = FALSE]
      S0 <- sum(r[R]); S1 <- colSums(r[R] * XR); S2 <- crossprod(XR, r[R] * XR)
      D0 <- sum(r[D]); D1 <- colSums(r[D] * XD); D2 <- crossprod(XD, r[D] * XD)
      f <- if (efron) (seq_len(d) - 1) / d else rep(0, d)
      dl <- sum(eta[D]); dU <- colSums(XD); dI <- matrix(0, p, p)
      for (fk in f) {
        s0 <- S0 - fk * D0; s1 <- S1 - fk * D1; s2 <- S2 - fk * D2
        dl <- dl - log(s0)
        dU <- dU - s1 / s0
        dI <- dI + s2 / s0 - tcrossprod(s1) / s0^2
      }
      ll <- ll + dl; u <- u + dU; I <- I + dI
      if (!is.null(g)) {
        gt <- g[D[1]]
        u2 <- u2 + gt * dU; I12 <- I12 + gt * dI; I22 <- I22 + gt^2 * dI
      }
    }
  }
  list(ll = ll, u = u, I = I, u2 = u2, I12 = I12, I22 = I22)
}

# Newton-Raphson exactly as coxfit6 (uncentred, unscaled X: the header says it makes no
# difference), beta from 0.
cox_by_hand <- function(time, event, X, strata, efron) {
  beta <- rep(0, ncol(X))
  f0 <- cox_sums(beta, time, event, X, strata, efron)
  sctest <- sum(f0$u * solve(f0$I, f0$u))
  best <- f0$ll
  new <- beta + solve(f0$I, f0$u)
  halving <- 0
  for (iter in seq_len(ITER_MAX)) {
    f <- cox_sums(new, time, event, X, strata, efron)
    fin <- is.finite(f$ll) && all(is.finite(f$u)) && all(is.finite(f$I))
    if (fin && abs(1 - best / f$ll) <= EPS)
      return(list(coef = new, var = solve(f$I), u = f$u, loglik = c(f0$ll, f$ll), iter = iter,
                  sctest = sctest, converged = TRUE))
    if (!fin || f$ll < best) {
      halving <- halving + 1
      new <- (new + halving * beta) / (halving + 1)
    } else {
      halving <- 0
      best <- f$ll
      step <- solve(f$I, f$u)
      beta <- new
      new <- new + step
    }
  }
  f <- cox_sums(beta, time, event, X, strata, efron)
  list(coef = beta, var = diag(1 / diag(f$I), ncol(X)), u = f$u, loglik = c(f0$ll, f$ll),
       iter = ITER_MAX + 1L, sctest = sctest, converged = FALSE)
}

# cox.zph's per-term and global chi-squares (header), at the fitted coef.
zph_by_hand <- function(time, event, X, strata, efron, coef, assign) {
  km_left <- vapply(time, function(t) {
    ut <- sort(unique(time[event == 1 & time < t]))
    prod(vapply(ut, function(u) 1 - sum(time == u & event == 1) / sum(time >= u), 0))
  }, 0)
  g <- 1 - km_left
  g <- g - mean(g[event == 1])
  f <- cox_sums(coef, time, event, X, strata, efron, g)
  p <- ncol(X)
  J <- rbind(cbind(f$I, f$I12), cbind(t(f$I12), f$I22))
  one <- function(cols) {
    kk <- c(seq_len(p), p + cols)
    w <- c(rep(0, p), f$u2[cols])
    sum(w * solve(J[kk, kk], w))
  }
  c(vapply(assign, one, 0), GLOBAL = one(seq_len(p)))
}

rel <- function(a, b) max(abs(a - b) / pmax(abs(b), 1e-300))

# ---- One fit -------------------------------------------------------------------------------------
one_fit <- function(d, form, ties, hand_X, strata_vec) {
  warns <- character(0)
  catch <- function(expr, prefix = "") withCallingHandlers(expr, warning = function(w) {
    warns <<- c(warns, paste0(prefix, conditionMessage(w)))
    invokeRestart("muffleWarning")
  })
  fit <- catch(coxph(form, data = d, ties = ties, x = TRUE))
  s <- catch(summary(fit))
  zph_err <- NULL
  zph <- tryCatch(catch(cox.zph(fit), "cox.zph: "),
                  error = function(e) { zph_err <<- conditionMessage(e); NULL })
  stopifnot(!anyNA(coef(fit)))
  cm <- s$coefficients
  ci <- s$conf.int
  se <- sqrt(diag(fit$var))
  stopifnot(isTRUE(all.equal(unname(cm[, "se(coef)"]), se, tolerance = 0)),
            round(fit$wald.test, 2) == unname(s$waldtest["test"]))
  test3 <- function(v, chisq = v[["test"]]) list(chisq = unname(chisq), df = unname(v[["df"]]),
                                                 p = unname(v[["pvalue"]]))

  # independent check of the header's algorithm
  efron <- ties == "efron"
  h <- cox_by_hand(d$time, d$event, hand_X, strata_vec, efron)
  stopifnot(h$iter == fit$iter, h$converged)
  dev <- c(loglik = rel(h$loglik, fit$loglik), score = rel(h$sctest, fit$score),
           coef = rel(h$coef, unname(coef(fit))), var = rel(h$var, unname(fit$var)))
  stopifnot(dev[["loglik"]] < 1e-12, dev[["score"]] < 1e-9, dev[["coef"]] < 1e-9,
            dev[["var"]] < 1e-9)
  infs <- abs(drop(h$u %*% h$var))
  flagged <- which(!is.finite(h$u) | (infs > EPS & infs > sqrt(EPS) * abs(h$coef)))
  stopifnot(identical(length(flagged) > 0, any(grepl("Loglik converged", warns))))
  zph_terms <- NULL
  if (!is.null(zph)) {
    tab <- zph$table
    hz <- zph_by_hand(d$time, d$event, hand_X, strata_vec, efron, unname(coef(fit)),
                      fit$assign)
    stopifnot(identical(names(hz), rownames(tab)))
    dev <- c(dev, zph = rel(hz, unname(tab[, "chisq"])))
    stopifnot(dev[["zph"]] < 1e-6)
    nt <- nrow(tab) - 1
    zph_terms <- list(
      terms = lapply(seq_len(nt), function(i) list(name = rownames(tab)[i],
        chisq = unname(tab[i, "chisq"]), df = unname(tab[i, "df"]), p = unname(tab[i, "p"]))),
      global = list(chisq = unname(tab[nt + 1, "chisq"]), df = unname(tab[nt + 1, "df"]),
                    p = unname(tab[nt + 1, "p"])))
  }
  list(
    fit = list(
      ties = ties, terms = sarr(names(coef(fit))),
      coef = arr(coef(fit)), se = arr(se),
      var = lapply(seq_len(nrow(fit$var)), function(i) arr(fit$var[i, ])),
      hr = arr(exp(coef(fit))),
      hr_lower = arr(ci[, "lower .95"]), hr_upper = arr(ci[, "upper .95"]),
      z = arr(cm[, "z"]), p = arr(cm[, "Pr(>|z|)"]),
      loglik_null = fit$loglik[1], loglik = fit$loglik[2], iter = fit$iter,
      n = fit$n, nevent = fit$nevent,
      wald = test3(s$waldtest, fit$wald.test), lr = test3(s$logtest), score = test3(s$sctest),
      warnings = sarr(warns),
      zph = zph_terms, zph_error = zph_err),
    dev = dev)
}

cases <- list()
# covariates: list of list(name, kind = "numeric" | "factor", values, levels (factor only))
add_case <- function(name, description, time, event, covariates, strata = NULL) {
  n <- length(time)
  stopifnot(length(event) == n, all(event %in% c(0, 1)), !anyNA(time), all(time >= 0),
            is.null(strata) || length(strata) == n)
  d <- data.frame(time = time, event = event)
  for (cv in covariates) {
    stopifnot(length(cv$values) == n, !anyNA(cv$values))
    if (cv$kind == "factor") {
      stopifnot(all(cv$values %in% cv$levels))
      d[[cv$name]] <- factor(cv$values, levels = cv$levels)
    } else {
      d[[cv$name]] <- as.numeric(cv$values)
    }
  }
  rhs <- vapply(covariates, function(cv) cv$name, "")
  strata_vec <- rep("all", n)
  if (!is.null(strata)) {
    d$stratum <- strata
    strata_vec <- as.character(strata)
  }
  form <- reformulate(c(rhs, if (!is.null(strata)) "strata(stratum)"),
                      response = quote(Surv(time, event)))
  hand_X <- model.matrix(reformulate(rhs), d)[, -1, drop = FALSE]
  fits <- lapply(c("efron", "breslow"), function(ties) {
    r <- one_fit(d, form, ties, hand_X, strata_vec)
    f <- r$fit
    cat(sprintf(paste("%-20s %-7s n=%d d=%d iter=%d coef=%s se=%s loglik=%.10g lr=%.6g",
                      "wald=%.6g score=%.6g zph_global=%s warnings=%d\n"),
                name, ties, f$n, f$nevent, f$iter,
                paste(sprintf("%.6g", unclass(f$coef)), collapse = "/"),
                paste(sprintf("%.6g", unclass(f$se)), collapse = "/"),
                f$loglik, f$lr$chisq, f$wald$chisq, f$score$chisq,
                if (is.null(f$zph)) "NA" else sprintf("%.6g", f$zph$global$chisq),
                length(f$warnings)))
    cat(sprintf("    check vs hand implementation (max rel diff): %s\n",
                paste(sprintf("%s=%.2g", names(r$dev), r$dev), collapse = " ")))
    for (w in unclass(f$warnings)) cat(sprintf("    warning: \"%s\"\n", w))
    f
  })
  cases[[length(cases) + 1]] <<- list(
    name = name, description = description,
    time = arr(time), event = arr(event),
    strata = if (is.null(strata)) NULL else sarr(strata),
    covariates = lapply(covariates, function(cv) {
      if (cv$kind == "factor")
        list(name = cv$name, kind = "factor", values = sarr(cv$values), levels = sarr(cv$levels))
      else list(name = cv$name, kind = "numeric", values = arr(cv$values))
    }),
    fits = fits)
}
num_cov <- function(name, values) list(name = name, kind = "numeric", values = as.numeric(values))
fac_cov <- function(name, values, levels) {
  list(name = name, kind = "factor", values = as.character(values), levels = levels)
}

# ---- PBC (Mayo), randomised subjects -------------------------------------------------------------
pbc <- read.csv(file.path("datasets", "pbc_mayo", "pbc.csv"))
pbc <- pbc[!is.na(pbc$trt), ]
stopifnot(nrow(pbc) == 312, !anyNA(pbc[c("age", "bili", "albumin", "edema", "sex")]))
pbc_desc <- paste("datasets/pbc_mayo/pbc.csv, the 312 randomised subjects (trt not NA), rows in",
                  "file order, time = days, event = status == 2 (death; transplant censored)")
pbc_time <- pbc$time
pbc_event <- as.numeric(pbc$status == 2)
trt_cov <- fac_cov("trt", pbc$trt, c("1", "2"))
add_case("pbc_trt",
  paste0(pbc_desc, "; trt factor, reference \"1\" = D-penicillamine, \"2\" = placebo"),
  pbc_time, pbc_event, list(trt_cov))
add_case("pbc_multi",
  paste0(pbc_desc, "; age (years) + log_bili = log(bili) + albumin + edema (numeric",
         " 0/0.5/1) + trt factor (reference \"1\" = D-penicillamine)"),
  pbc_time, pbc_event,
  list(num_cov("age", pbc$age), num_cov("log_bili", log(pbc$bili)),
       num_cov("albumin", pbc$albumin), num_cov("edema", pbc$edema), trt_cov))
add_case("pbc_strat",
  paste0(pbc_desc, "; trt factor (reference \"1\"), stratified by sex (\"f\"/\"m\"):",
         " coxph(Surv(time, event) ~ trt + strata(stratum))"),
  pbc_time, pbc_event, list(trt_cov), strata = pbc$sex)
add_case("single_numeric",
  paste0(pbc_desc, "; age (years) as the only covariate"),
  pbc_time, pbc_event, list(num_cov("age", pbc$age)))

# ---- CDISC pilot ADTTE (time to first dermatologic event) ----------------------------------------
adtte <- read.csv(file.path("datasets", "cdisc_pilot01", "adtte.csv"))
stopifnot(all(adtte$CNSR %in% c(0, 1)), !anyNA(adtte$AGE), all(adtte$SEX %in% c("F", "M")))
trtp_levels <- c("Placebo", "Xanomeline Low Dose", "Xanomeline High Dose")
adtte_desc <- paste("datasets/cdisc_pilot01/adtte.csv (PARAMCD TTDE), rows in file order,",
                    "time = AVAL (days), event = 1 - CNSR")
add_case("cdisc_adtte",
  paste0(adtte_desc, "; TRTP factor, reference \"Placebo\", then Low, High Dose"),
  adtte$AVAL, 1 - adtte$CNSR, list(fac_cov("TRTP", adtte$TRTP, trtp_levels)))
add_case("cdisc_adtte_adj",
  paste0(adtte_desc, "; TRTP factor (reference \"Placebo\") + AGE (years) + SEX factor",
         " (reference \"F\")"),
  adtte$AVAL, 1 - adtte$CNSR,
  list(fac_cov("TRTP", adtte$TRTP, trtp_levels), num_cov("AGE", adtte$AGE),
       fac_cov("SEX", adtte$SEX, c("F", "M"))))

# ---- synthetic: heavy ties -----------------------------------------------------------------------
set.seed(20240611)
n <- 300
arm <- sample(c("A", "B", "C"), n, replace = TRUE)
x <- round(rnorm(n), 3)
latent <- ceiling(rexp(n, 0.12 * exp(c(A = 0, B = -0.4, C = 0.3)[arm] + 0.35 * x)))
cens <- ceiling(runif(n, 0, 60))
gen_time <- pmin(latent, cens, 12)
gen_event <- as.numeric(latent <= pmin(cens, 12))
add_case("ties_generated",
  paste("synthetic (set.seed(20240611)), n = 300, integer times 1..12 (administrative censoring",
        "at 12) so nearly every event time is heavily tied; arm factor (reference \"A\", \"B\",",
        "\"C\") + x numeric (3 decimals); Efron and Breslow differ visibly"),
  gen_time, gen_event, list(fac_cov("arm", arm, c("A", "B", "C")), num_cov("x", x)))

# ---- synthetic: monotone likelihood (arm B has no events) ----------------------------------------
set.seed(7)
mono_arm <- rep(c("A", "B"), each = 20)
mono_time <- c(sample(1:30, 20, TRUE), sample(1:12, 20, TRUE))
mono_event <- c(rbinom(20, 1, 0.8), rep(0, 20))
stopifnot(sum(mono_event[mono_arm == "B"]) == 0)
add_case("monotone",
  paste("synthetic (set.seed(7)), n = 40, arm factor (reference \"A\"), arm \"B\" has no events:",
        "monotone likelihood, coef(armB) drifts towards -Inf until the loglik converges; R warns",
        "\"Loglik converged before variable  1 ; coefficient may be infinite. \". coef, se and",
        "var are where the iterations stopped (reproducible only by following R's",
        "Newton-Raphson path exactly; meaningless as estimates)"),
  mono_time, mono_event, list(fac_cov("arm", mono_arm, c("A", "B"))))

# ---- synthetic: events at time 0, tied times -----------------------------------------------------
zt_time  <- c(0, 0, 0, 0, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 5, 5, 6, 7, 7, 8, 9, 10, 10, 11, 12)
zt_event <- c(1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0, 1)
zt_arm   <- c("A", "B", "A", "A", "B", "A", "A", "B", "B", "A", "B", "A", "B", "B", "A", "B",
              "A", "B", "A", "B", "A", "B", "A", "B", "A")
add_case("zero_time_events",
  paste("synthetic, n = 25: three events and one censoring at time 0, tied event times (2: three",
        "events; 5: two events and a censoring), arm factor (reference \"A\")"),
  zt_time, zt_event, list(fac_cov("arm", zt_arm, c("A", "B"))))

meta <- list(
  generated_by = "tests/reference/cox.R",
  r_version = R.version.string,
  survival = pkg_version("survival"),
  note = paste("coxph(Surv(time, event) ~ covariates [+ strata(stratum)], ties = efron|breslow)",
               "with R's defaults (eps 1e-9, iter.max 20, beta from 0); summary(fit); cox.zph(fit)",
               "(transform km, terms, global). wald.chisq is fit$wald.test unrounded (summary",
               "prints round(, 2)). Algorithm: see the header of cox.R.")
)
writeLines(to_json(list(meta = meta, cases = cases)), file.path("tests", "reference", "cox.json"))
