# Comparison helpers shared by the R reference scripts of `change` and `endpoint`
# (tests/reference/change.R, endpoint.R). Sourced after lib/common.R (json_num); needs effectsize.
# Lives in lib/ so that regenerate.sh, which runs tests/reference/*.R, does not run it.

# ---- warnings --------------------------------------------------------------------------------------
# Warnings of the case being computed, each prefixed with a label saying where it came from.
case_warnings <- character(0)
with_warnings <- function(label, expr) {
  withCallingHandlers(expr, warning = function(w) {
    case_warnings <<- c(case_warnings, paste0(label, ": ", conditionMessage(w)))
    invokeRestart("muffleWarning")
  })
}


# ---- statistics --------------------------------------------------------------------------------------
summ <- function(x) {
  q <- quantile(x, c(0.25, 0.75), type = 7, names = FALSE)
  list(n = length(x), mean = json_num(mean(x)), sd = json_num(sd(x)), median = json_num(median(x)),
       q1 = json_num(q[1]), q3 = json_num(q[2]))
}

t_entry <- function(tt, estimate) {
  list(estimate = json_num(estimate), lower = json_num(tt$conf.int[1]), upper = json_num(tt$conf.int[2]),
       statistic = json_num(unname(tt$statistic)), df = json_num(unname(tt$parameter)),
       p_value = json_num(tt$p.value), se = json_num(tt$stderr))
}

# wilcox.test with R's defaults (exact = NULL, correct = TRUE), plus the tight-root repeat.
# `exact` is read from R's method string ("... exact test" only when the exact distribution was used).
wilcox_entry <- function(label, x, y = NULL) {
  w <- with_warnings(label, wilcox.test(x, y, conf.int = TRUE))
  wt <- suppressWarnings(wilcox.test(x, y, conf.int = TRUE, tol.root = 1e-12))
  list(statistic = json_num(unname(w$statistic)), p_value = json_num(w$p.value),
       estimate = json_num(unname(w$estimate)), lower = json_num(w$conf.int[1]),
       upper = json_num(w$conf.int[2]), exact = grepl("exact", w$method),
       tight = list(estimate = json_num(unname(wt$estimate)), lower = json_num(wt$conf.int[1]),
                    upper = json_num(wt$conf.int[2])))
}

# Noncentral-t limits of the observed t solved tightly (pt decreases in ncp).
ncp_limits <- function(t, df, level = 0.95) {
  a <- 1 - level
  f <- function(ncp, p) suppressWarnings(pt(t, df, ncp)) - p
  root <- function(p) uniroot(f, c(t - 1, t + 1), p = p, tol = 1e-12, maxiter = 10000,
                              extendInt = "downX")$root
  c(root(1 - a / 2), root(a / 2))
}

hedges_entry <- function(label, x, y) {
  g <- with_warnings(label, effectsize::hedges_g(x, y))   # ci = 0.95, pooled_sd = TRUE
  n1 <- length(x); n2 <- length(y); df <- n1 + n2 - 2
  sp <- sqrt(((n1 - 1) * var(x) + (n2 - 1) * var(y)) / df)
  hn <- 1 / n1 + 1 / n2
  t <- (mean(x) - mean(y)) / (sp * sqrt(hn))
  J <- exp(lgamma(df / 2) - log(sqrt(df / 2)) - lgamma((df - 1) / 2))
  lim <- ncp_limits(t, df) * sqrt(hn) * J
  list(estimate = json_num(g$Hedges_g), lower = json_num(g$CI_low), upper = json_num(g$CI_high),
       tight = list(estimate = json_num(J * t * sqrt(hn)), lower = json_num(lim[1]),
                    upper = json_num(lim[2])))
}

# d_z and g_z of the changes of one arm (effectsize 0.8.3 cohens_d / hedges_g with paired
# differences: the one-sample standardised mean change, noncentral-t CI), with the tight limits.
dz_entries <- function(label, x) {
  n <- length(x); df <- n - 1
  t <- mean(x) / (sd(x) / sqrt(n))
  J <- exp(lgamma(df / 2) - log(sqrt(df / 2)) - lgamma((df - 1) / 2))
  lim <- ncp_limits(t, df) / sqrt(n)
  d <- with_warnings(label, effectsize::cohens_d(x))
  g <- with_warnings(label, effectsize::hedges_g(x))
  list(d_z = list(estimate = json_num(d$Cohens_d), lower = json_num(d$CI_low), upper = json_num(d$CI_high),
                  tight = list(estimate = json_num(t / sqrt(n)), lower = json_num(lim[1]), upper = json_num(lim[2]))),
       g_z = list(estimate = json_num(g$Hedges_g), lower = json_num(g$CI_low), upper = json_num(g$CI_high),
                  tight = list(estimate = json_num(J * t / sqrt(n)), lower = json_num(J * lim[1]),
                               upper = json_num(J * lim[2]))))
}

