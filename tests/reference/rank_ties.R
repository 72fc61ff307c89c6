# Reference values for the exact conditional (permutation) p-values of the Wilcoxon signed-rank
# and Wilcoxon-Mann-Whitney rank-sum tests WITH TIES (and, for the signed-rank test, with zero
# differences), as exactRankTests::wilcox.exact and coin compute them. R's own wilcox.test has no
# exact test with ties (it falls back to the normal approximation), so these two packages are the
# references: both use the Streitberg-Roehmel shift algorithm on the observed midrank scores, i.e.
# the permutation distribution conditional on the tie pattern.
#
# Run from the repository root:  Rscript tests/reference/rank_ties.R
# Needs exactRankTests and coin (Debian r-cran-exactranktests, r-cran-coin: install-tools.sh).
# Writes tests/reference/rank_ties.json (all numbers with 17 significant digits via jnum, so the
# inputs round-trip exactly; jsonlite's own writer stops at 15).
#
# Zero differences (signed rank): dropped before ranking, as R's wilcox.test and
# exactRankTests::wilcox.exact do (x <- x[x != 0]; r <- rank(abs(x))). In coin this is
# wilcoxsign_test(..., zero.method = "Wilcoxon"); coin's default zero.method = "Pratt" ranks the
# zeros with the others and then drops them (a different test). Checked: "Wilcoxon" reproduces
# wilcox.exact's V and p-value in every case below (the script stops otherwise); "Pratt" gives a
# different statistic and in general a different p-value (coin_pratt, recorded for the cases with
# zeros: it differs in sr_pain_zeros_n20 and sr_many_ties_n40, and happens to coincide in the other two).
#
# Two-sided exact p-value, as each package defines it (read from the installed sources:
# Rscript -e 'exactRankTests:::pperm'  and  Rscript -e 'coin:::SR_shift_1sample; coin:::SR_shift_2sample'):
#   exactRankTests 0.8.35, pperm(q = t, scores = midranks, m, alternative = "two.sided"):
#     signed rank (paired: m == length(scores)), T = sum of the midranks of |d| with d > 0:
#       if (2 * sum(cp$Prob[cp$T <= i]) <= 1) prob <- 2 * cp$Prob[cp$T <= i]
#       else prob <- 2 * cp$Prob[cp$T >= i];    PVALUE <- min(c(1, sum(prob)))
#       i.e. p = min(1, 2 P(T <= t)) if 2 P(T <= t) <= 1, else min(1, 2 P(T >= t)). The null
#       distribution is symmetric about sum(r)/2 (flipping every sign maps T to sum(r) - T), so this
#       equals min(1, 2 min(P(T <= t), P(T >= t))) and also P(|T - sum(r)/2| >= |t - sum(r)/2|).
#     rank sum (unpaired), T = sum of the midranks of x in the pooled sample:
#       expect <- m/length(scores) * sum(scores); TH <- cp$T - expect; ih <- i - expect
#       if (ih != 0) prob <- c(cp$Prob[TH <= ifelse(ih > 0, -ih, ih)], cp$Prob[TH >= ifelse(ih >= 0, ih, -ih)])
#       else prob <- 1;                          PVALUE <- min(c(1, sum(prob)))
#       i.e. p = P(|T - E T| >= |t - E T|), E T = m (N + 1) / 2, and 1 when t = E T. NOT 2 min(...):
#       with ties the rank-sum null distribution need not be symmetric, and then the two differ
#       (dp.p_2min below is the 2 min(...) value, for comparison).
#     Midranks are integers or halves; equiscores() multiplies them by fact = 2 when any is a half,
#     so the distribution is exact (no rounding of scores).
#   coin 1.4-2, ExactNullDistribution -> SR_shift_1sample (signed rank) / SR_shift_2sample (rank
#     sum), on the standardized statistic z = (T - E T) / sqrt(V T):
#       two.sided = { if (q == 0) 1L else sum(Prob[T %LE% if (q < 0) q else -q]) +
#                                          sum(Prob[T %GE% if (q > 0) q else -q]) }
#       with x %LE% y := (x - y) <= sqrt_eps, x %GE% y := (y - x) <= sqrt_eps (sqrt_eps =
#       sqrt(.Machine$double.eps)), i.e. p = P(|Z| >= |z|) = P(|T - E T| >= |t - E T|) up to that
#       tolerance on the z scale; 1 when z == 0.
#   So both packages compute P(|T - E T| >= |t - E T|) for both tests (exactRankTests writes it as
#   the doubled smaller tail for the signed-rank test, which is the same number by symmetry).
#
# Confidence intervals (95%) with ties:
#   wilcox.exact: inverts the permutation distribution of the OBSERVED midranks r (at d = 0):
#     quantiles qu <- qperm(alpha/2, r, m), ql <- qperm(1 - alpha/2, r, m) (first support point with
#     cumulative probability >= p), held fixed for every d. The statistic w(d) is recomputed at each
#     candidate d (Walsh averages (d_i + d_j)/2, i <= j, of the non-zero differences; or the
#     differences x_i - y_j), re-ranking with midranks AT d itself:
#       signed:  fs <- function(d) { xx <- x - d; sum(rank(abs(xx))[xx > 0]) }
#       ranksum: fs <- function(d) sum(rank(c(x - d, y))[seq(along = x)]) - n.x * (n.x + 1)/2
#     CI = [max(diffs[w > ql]), min(diffs[w <= qu])] (qu, ql shifted by -m(m+1)/2 for rank sum);
#     estimate = mean(c(min(diffs[w <= ceiling(wmean)]), max(diffs[w > wmean]))), wmean = E T.
#   coin (rank sum only; wilcoxsign_test has no confint): also inverts the exact conditional
#     distribution of the observed scores (qperm of the null distribution, mapped back to the T
#     scale by * sigma + mu), but evaluates the step function just right of each distinct
#     difference (steps + min(diff(steps))/2) and takes
#     [min(steps[jumps <= q_upper]), min(steps[jumps < q_lower])] (decreasing case), estimate the
#     mean of min(steps[jumps <= mu]) and min(steps[jumps < mu]). The two packages' CIs and
#     estimates therefore can differ with ties; the p-values do not.
#
# For every case:
#   name, kind ("signed" | "ranksum"), x (the differences, for "signed"), y (rank sum only)
#   signed:  n (length of x), n_zero (zeros dropped), n_nonzero, V (sum of the midranks of |x|
#            over x > 0, zeros dropped first)
#   ranksum: m, n, W (wilcox.test's convention: sum of x's midranks in the pooled sample minus
#            m(m+1)/2), rank_sum_x (sum of x's midranks), expected_rank_sum_x = m(m+n+1)/2
#   exactRankTests  wilcox.exact(x[, y], paired = FALSE, exact = TRUE, conf.int = TRUE,
#            conf.level = 0.95): statistic (V or W), p, pointprob (P(T = t)), ci_lo, ci_hi,
#            conf_level (attr(conf.int, "conf.level")), estimate, warnings; if that call errors or
#            gives no CI, p comes from conf.int = FALSE and `note` holds the reason.
#   coin     signed:  wilcoxsign_test(d ~ z, data = data.frame(d = x, z = 0), distribution =
#                     "exact", zero.method = "Wilcoxon") (diffs = d - z = x)
#            ranksum: wilcox_test(value ~ group, distribution = "exact", conf.int = TRUE), group a
#                     factor with levels c("x", "y") (first level = x, so the shift is x - y)
#            p = pvalue(), statistic_linear = statistic(, "linear") (V, resp. sum of x's
#            midranks), statistic_standardized = statistic(, "standardized"), expectation,
#            variance, and (rank sum) ci_lo, ci_hi, conf_level, estimate from confint() (ci_lo,
#            ci_hi null when coin warns "cannot compute confidence interval"); warnings.
#   coin_pratt  (signed cases with zeros) the same call with zero.method = "Pratt": p, statistic_linear.
#   dp       a plain dynamic-programming count of the same conditional distribution, written here
#            on doubled midranks (integers): p_two_sided = P(|T - E T| >= |t - E T|), p_le =
#            P(T <= t), p_ge = P(T >= t), p_point = P(T = t), p_2min = min(1, 2 min(p_le, p_ge)).
#   rel_diff_p  max relative difference among exactRankTests$p, coin$p and dp$p_two_sided
#            (|a - b| / max(|a|, |b|)); the script stops if it exceeds 1e-12.

suppressPackageStartupMessages({
  library(jsonlite)
  library(exactRankTests)
  library(coin)
})
source(file.path("tests", "reference", "lib", "common.R"))   # jnum, pkg_version

LEVEL <- 0.95

# ---- minimal JSON writer with 17 significant digits (numbers by jnum) ---------------------------
to_json <- function(x) {
  if (is.null(x)) return("null")
  if (inherits(x, "jarray")) return(paste0("[", paste(vapply(unclass(x), jnum, ""), collapse = ","), "]"))
  if (is.list(x)) {
    if (!is.null(names(x))) {
      items <- vapply(names(x), function(k) paste0(toJSON(k, auto_unbox = TRUE), ":", to_json(x[[k]])), "")
      return(paste0("{", paste(items, collapse = ","), "}"))
    }
    return(paste0("[", paste(vapply(x, to_json, ""), collapse = ","), "]"))
  }
  if (is.character(x)) {
    if (length(x) == 1) return(as.character(toJSON(x, auto_unbox = TRUE)))
    return(as.character(toJSON(x)))
  }
  if (is.logical(x) && length(x) == 1 && is.na(x)) return("null")
  if (is.logical(x)) return(if (isTRUE(x)) "true" else "false")
  if (length(x) == 1) return(jnum(x))
  paste0("[", paste(vapply(x, jnum, ""), collapse = ","), "]")
}
arr <- function(x) structure(as.numeric(x), class = "jarray")

# Evaluate `expr`, collecting warnings; an error is returned as the condition object.
capture <- function(expr) {
  warns <- character(0)
  res <- withCallingHandlers(tryCatch(expr, error = function(e) e),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  list(res = res, warnings = warns)
}

# ---- exactRankTests ----------------------------------------------------------------------------
run_wex <- function(x, y) {
  call_wex <- function(ci) if (is.null(y))
    wilcox.exact(x, paired = FALSE, exact = TRUE, conf.int = ci, conf.level = LEVEL)
  else wilcox.exact(x, y, paired = FALSE, exact = TRUE, conf.int = ci, conf.level = LEVEL)
  out <- capture(call_wex(TRUE))
  res <- out$res
  if (inherits(res, "error") || is.null(res$conf.int)) {
    note <- if (inherits(res, "error")) paste("conf.int = TRUE failed:", conditionMessage(res))
            else "conf.int = TRUE gave no interval"
    res <- suppressWarnings(call_wex(FALSE))
    return(list(statistic = unname(res$statistic), p = res$p.value,
                pointprob = unname(res$pointprob), note = note, warnings = as.list(out$warnings)))
  }
  ci <- res$conf.int
  list(statistic = unname(res$statistic), p = res$p.value, pointprob = unname(res$pointprob),
       ci_lo = ci[1], ci_hi = ci[2], conf_level = attr(ci, "conf.level"),
       estimate = unname(res$estimate), warnings = as.list(out$warnings))
}

# ---- coin --------------------------------------------------------------------------------------
coin_signed <- function(d, zero.method) {
  out <- capture(wilcoxsign_test(d ~ z, data = data.frame(d = d, z = 0),
                                 distribution = "exact", zero.method = zero.method))
  t <- out$res
  if (inherits(t, "error")) return(list(error = conditionMessage(t), warnings = as.list(out$warnings)))
  list(p = as.numeric(pvalue(t)), statistic_linear = as.numeric(statistic(t, type = "linear")),
       statistic_standardized = as.numeric(statistic(t, type = "standardized")),
       expectation = as.numeric(expectation(t)), variance = as.numeric(variance(t)),
       zero_method = zero.method, warnings = as.list(out$warnings))
}

coin_ranksum <- function(x, y) {
  dat <- data.frame(value = c(x, y),
                    group = factor(rep(c("x", "y"), c(length(x), length(y))), levels = c("x", "y")))
  out <- capture(wilcox_test(value ~ group, data = dat, distribution = "exact",
                             conf.int = TRUE, conf.level = LEVEL))
  t <- out$res
  if (inherits(t, "error")) return(list(error = conditionMessage(t), warnings = as.list(out$warnings)))
  r <- list(p = as.numeric(pvalue(t)), statistic_linear = as.numeric(statistic(t, type = "linear")),
            statistic_standardized = as.numeric(statistic(t, type = "standardized")),
            expectation = as.numeric(expectation(t)), variance = as.numeric(variance(t)))
  ci <- capture(confint(t, level = LEVEL))
  if (inherits(ci$res, "error")) {
    r$ci_note <- paste("confint failed:", conditionMessage(ci$res))
  } else {
    r$ci_lo <- as.numeric(ci$res$conf.int[1])   # NA (-> null) when coin cannot compute it
    r$ci_hi <- as.numeric(ci$res$conf.int[2])
    r$conf_level <- attr(ci$res$conf.int, "conf.level")
    r$estimate <- unname(ci$res$estimate)
  }
  r$warnings <- as.list(c(out$warnings, ci$warnings))
  r
}

# ---- independent dynamic-programming count on doubled midranks (all integers) -----------------
dp_summary <- function(vals, prob, t2, center2) {
  p_le <- sum(prob[vals <= t2]); p_ge <- sum(prob[vals >= t2])
  list(p_two_sided = if (t2 == center2) 1 else min(1, sum(prob[abs(vals - center2) >= abs(t2 - center2)])),
       p_le = p_le, p_ge = p_ge, p_point = sum(prob[vals == t2]),
       p_2min = min(1, 2 * min(p_le, p_ge)))
}

dp_signed <- function(d) {
  d <- d[d != 0]
  s <- as.integer(round(2 * rank(abs(d))))           # doubled midranks
  stopifnot(all(abs(s / 2 - rank(abs(d))) == 0))
  tot <- sum(s)
  dist <- c(1, numeric(tot))                          # dist[k + 1] = P(sum = k)
  for (si in s) dist <- (dist + c(numeric(si), dist[seq_len(tot + 1 - si)])) / 2
  vals <- 0:tot
  dp_summary(vals, dist, t2 = sum(s[d > 0]), center2 = tot / 2)
}

dp_ranksum <- function(x, y) {
  m <- length(x); N <- m + length(y)
  s <- as.integer(round(2 * rank(c(x, y))))
  tot <- sum(s)
  f <- matrix(0, m + 1, tot + 1); f[1, 1] <- 1        # f[k + 1, t + 1] = #subsets of size k, sum t
  for (si in s) {
    for (k in min(m, N):1) {
      if (si <= tot) f[k + 1, (si + 1):(tot + 1)] <- f[k + 1, (si + 1):(tot + 1)] + f[k, 1:(tot + 1 - si)]
    }
  }
  prob <- f[m + 1, ] / choose(N, m)
  stopifnot(abs(sum(prob) - 1) < 1e-12)
  dp_summary(0:tot, prob, t2 = sum(s[seq_len(m)]), center2 = m * (N + 1))
}

reldiff <- function(a, b) if (a == b) 0 else abs(a - b) / max(abs(a), abs(b))

# ---- cases -------------------------------------------------------------------------------------
cases <- list()
max_rel <- 0

signed_case <- function(name, d) {
  nz <- d[d != 0]
  r <- rank(abs(nz))
  wex <- run_wex(d, NULL)
  cw <- coin_signed(d, "Wilcoxon")
  dp <- dp_signed(d)
  rel <- max(reldiff(wex$p, cw$p), reldiff(wex$p, dp$p_two_sided), reldiff(cw$p, dp$p_two_sided))
  V <- sum(r[nz > 0])
  stopifnot(V == wex$statistic, V == cw$statistic_linear)
  out <- list(name = name, kind = "signed", x = arr(d), n = length(d), n_zero = sum(d == 0),
              n_nonzero = length(nz), V = V, exactRankTests = wex, coin = cw)
  if (any(d == 0)) {
    cp <- coin_signed(d, "Pratt")
    out$coin_pratt <- list(p = cp$p, statistic_linear = cp$statistic_linear)
  }
  out$dp <- dp
  out$rel_diff_p <- rel
  max_rel <<- max(max_rel, rel)
  cases[[length(cases) + 1]] <<- out
}

ranksum_case <- function(name, x, y) {
  m <- length(x); n <- length(y)
  rx <- sum(rank(c(x, y))[seq_len(m)])
  wex <- run_wex(x, y)
  cw <- coin_ranksum(x, y)
  dp <- dp_ranksum(x, y)
  rel <- max(reldiff(wex$p, cw$p), reldiff(wex$p, dp$p_two_sided), reldiff(cw$p, dp$p_two_sided))
  W <- rx - m * (m + 1) / 2
  stopifnot(W == wex$statistic, rx == cw$statistic_linear)
  out <- list(name = name, kind = "ranksum", x = arr(x), y = arr(y), m = m, n = n, W = W,
              rank_sum_x = rx, expected_rank_sum_x = m * (m + n + 1) / 2,
              exactRankTests = wex, coin = cw, dp = dp, rel_diff_p = rel)
  max_rel <<- max(max_rel, rel)
  cases[[length(cases) + 1]] <<- out
}

# ---- signed rank (x = the paired differences) --------------------------------------------------
# n = 8, |d| tied within sign (2, 2, 2) and across signs (-1, 1).
signed_case("sr_ties_n8", c(1.5, -0.5, 2, 2, -1, 3.5, 2, 1))
# n = 10 with two zeros and ties.
signed_case("sr_ties_zeros_n10", c(0, 2, -1, 3, 0, 1, 4, 2, -2, 1))
# Pain-score changes in -3..3, n = 15, mostly negative, two zeros.
signed_case("sr_pain_n15", c(-2, -1, 0, -3, -1, -2, 1, -1, 0, -2, -1, -3, 2, -1, -2))
# Pain-score changes, n = 20, five zeros.
signed_case("sr_pain_zeros_n20", c(1, 2, 0, -1, 3, 1, 1, 0, 2, -1, 1, 2, 3, 0, 1, -2, 1, 2, 0, 1))
# Every |d| equal (one tie block): scores all 4 (7 non-zero), symmetric counts of signs.
signed_case("sr_all_tied_n7", c(2, 2, -2, 2, 2, -2, 2))
# Decimal data with ties (values exactly representable as the same doubles).
signed_case("sr_decimal_ties_n9", c(0.3, -0.1, 0.3, 0.5, 0.1, -0.3, 0.2, 0.5, 0.3))
# V at the centre of the distribution (t = E T): p = 1.
signed_case("sr_centre_n6", c(1, -1, 2, -2, 3, -3))
# n = 40 integer changes in -3..3 (set.seed(7); sample(-3:3, 40, TRUE, prob = c(.05, .1, .15,
# .2, .25, .15, .1))), seven zeros, many ties.
signed_case("sr_many_ties_n40",
            c(-3, 0, 1, 1, 1, 3, 0, -3, 1, 2, 1, 1, 3, 1, 2, 1, 2, 1, -3, 0, -1, 0, -3, -2, -3, 1, -1,
              2, -3, 0, -1, 0, 1, 1, 0, 3, 2, 3, 3, 2))

# ---- rank sum ----------------------------------------------------------------------------------
# m = 5, n = 6: ties within (x: 2, 2; y: 3, 3 and 6, 6) and across groups (2, 3).
ranksum_case("mw_ties_5_6", c(1, 2, 2, 3, 5), c(2, 3, 3, 4, 6, 6))
# m = 3, n = 4, smallest case: ties across groups at 3.
ranksum_case("mw_ties_3_4", c(3, 3, 5), c(1, 3, 4, 4))
# m = 10, n = 12, decimal data rounded to one place (ties across and within).
ranksum_case("mw_decimal_10_12", c(1.2, 3.4, 2.2, 2.2, 4.1, 3.4, 5.0, 2.9, 3.4, 4.1),
             c(2.2, 1.8, 2.9, 1.2, 3.0, 2.2, 1.5, 2.9, 0.7, 3.4, 1.8, 2.0))
# Complete separation with ties (x all above y): the smallest attainable p-value.
ranksum_case("mw_separated_ties_4_5", c(5, 5, 6, 7), c(1, 2, 2, 3, 3))
# m = 15, n = 15, integer scores 0..10.
ranksum_case("mw_int_15_15", c(7, 5, 8, 6, 6, 9, 4, 7, 8, 5, 6, 10, 7, 3, 6),
             c(4, 5, 3, 6, 2, 5, 4, 7, 3, 5, 6, 4, 1, 5, 4))
# Likert 1..5, m = n = 20 (set.seed(7) after the n = 40 draw above).
ranksum_case("mw_likert_20_20",
             c(5, 4, 5, 4, 1, 4, 3, 5, 5, 1, 2, 2, 5, 2, 2, 4, 3, 3, 4, 3),
             c(2, 3, 4, 1, 3, 1, 3, 3, 3, 3, 2, 1, 4, 1, 2, 1, 3, 3, 1, 5))
# Unbalanced m = 8, n = 25, integer scores 0..10 with ties.
ranksum_case("mw_unbalanced_8_25", c(4, 8, 6, 7, 1, 1, 7, 5),
             c(5, 2, 2, 0, 8, 3, 4, 2, 2, 4, 6, 0, 7, 1, 9, 3, 5, 4, 1, 9, 6, 6, 2, 9, 3))
# Rank sum at its expectation (t = E T): p = 1.
ranksum_case("mw_centre_4_4", c(1, 2, 3, 4), c(1, 2, 3, 4))

if (max_rel > 1e-12) stop(sprintf("p-values disagree: max relative difference %g", max_rel))

definitions <- list(
  exactRankTests = paste(
    "exactRankTests::pperm(t, scores, m, alternative = 'two.sided') on midrank scores (doubled by equiscores, exact).",
    "Signed rank (paired): if (2 * sum(cp$Prob[cp$T <= i]) <= 1) prob <- 2 * cp$Prob[cp$T <= i] else prob <- 2 * cp$Prob[cp$T >= i]; PVALUE <- min(c(1, sum(prob))),",
    "i.e. min(1, 2 min(P(T <= t), P(T >= t))), which equals P(|T - sum(r)/2| >= |t - sum(r)/2|) because the distribution is symmetric.",
    "Rank sum: expect <- m/length(scores) * sum(scores); TH <- cp$T - expect; ih <- i - expect; if (ih != 0) prob <- c(cp$Prob[TH <= ifelse(ih > 0, -ih, ih)], cp$Prob[TH >= ifelse(ih >= 0, ih, -ih)]) else prob <- 1; PVALUE <- min(c(1, sum(prob))),",
    "i.e. P(|T - E T| >= |t - E T|) with E T = m(N+1)/2 (1 when t = E T), not 2 min of the tails."),
  coin = paste(
    "coin:::SR_shift_1sample / SR_shift_2sample, on z = (T - E T)/sqrt(V T):",
    "two.sided = { if (q == 0) 1L else sum(Prob[T %LE% if (q < 0) q else -q]) + sum(Prob[T %GE% if (q > 0) q else -q]) },",
    "%LE%: (x - y) <= sqrt_eps, %GE%: (y - x) <= sqrt_eps; i.e. P(|Z| >= |z|) = P(|T - E T| >= |t - E T|) (1 when z == 0)."),
  zero_handling = paste(
    "Zeros are dropped before ranking (R wilcox.test / wilcox.exact: x <- x[x != 0]; r <- rank(abs(x))).",
    "coin reproduces this with wilcoxsign_test(..., zero.method = 'Wilcoxon'); its default 'Pratt' ranks zeros with the rest and then drops them (different p-value)."),
  ci = paste(
    "wilcox.exact inverts the permutation distribution of the observed (d = 0) midranks, quantiles qperm(alpha/2, r, m) and qperm(1 - alpha/2, r, m) held fixed,",
    "against w(d) recomputed with midranks at each candidate d (Walsh averages or x_i - y_j): CI = [max(diffs[w > ql]), min(diffs[w <= qu])].",
    "coin's confint (rank sum only) inverts the same conditional distribution but evaluates the step function just right of each distinct step; the two can differ with ties.")
)

meta <- list(
  generated_by = "tests/reference/rank_ties.R",
  r_version = R.version.string,
  exactRankTests = pkg_version("exactRankTests"),
  coin = pkg_version("coin"),
  jsonlite = pkg_version("jsonlite"),
  conf_level = LEVEL,
  max_rel_diff_p = max_rel
)
writeLines(to_json(list(meta = meta, definitions = definitions, cases = cases)),
           "tests/reference/rank_ties.json")
