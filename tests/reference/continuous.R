# Reference values for continuous outcomes (src/stats/continuous.rs, paired.rs, noncentral_t.rs).
# Run from the repository root:  Rscript tests/reference/continuous.R
# Writes tests/reference/continuous.json (read by tests/golden_continuous.rs and by
# tests/reference/continuous.py, which adds SciPy's values in continuous_py.json).
#
# Sources, per row `source`:
#   "t.test"     stats::t.test(var.equal = TRUE / FALSE, paired = TRUE): mean difference / change.
#   "effectsize" effectsize 0.8.3 cohens_d / hedges_g / glass_delta on the raw values (paired = TRUE
#                gives d_z / g_z in this version). Its noncentral-t CI comes from
#                effectsize:::.get_ncp_t, an optim() Nelder-Mead search with abstol = 1e-9 that stops
#                about 1e-6 from the root: compare to a tolerance, not exactly.
#   "uniroot"    the same definition as effectsize (ncp limits of the observed t with
#                P(T <= t | ncp) = 1 - alpha/2 and alpha/2, scaled as effectsize scales them), but
#                solved here with uniroot(tol = 1e-12) on R's pt(t, df, ncp): the tight source.
#   "metafor"    metafor 3.8-1 escalc(): "SMD" (Hedges' g, vtype "LS") and "SMCC" (g_z) give yi, vi;
#                the normal-approximation CI is yi +- qnorm(1 - alpha/2) sqrt(vi).
#   "hand"       the same large-sample variances written out here, for d (SMD form with d), Glass's
#                delta (SMD1H form with the uncorrected delta; checked against metafor's SMD1H below)
#                and d_z (SMCC form with d_z).
# pt(t, df, ncp) itself is tabulated in `pnt` over a grid including negative t and |ncp| > 37.62,
# where R switches to the Abramowitz & Stegun 26.7.10 normal approximation.

suppressPackageStartupMessages({
  library(effectsize)
  library(metafor)
  library(jsonlite)
})
source(file.path("tests", "reference", "lib", "common.R"))

levels <- c(0.90, 0.95, 0.99)

# ---- JSON with 17 significant digits (jsonlite stops at 15) --------------------------------------
# Numbers by fmt17 (lib/common.R): NA -> null, +-Inf -> "Infinity"/"-Infinity".
to_json17 <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (!is.null(names(x)) && all(names(x) != "")) {
      parts <- vapply(names(x), function(k) paste0(toJSON(k, auto_unbox = TRUE), ":", to_json17(x[[k]])), "")
      return(paste0("{", paste(parts, collapse = ","), "}"))
    }
    return(paste0("[", paste(vapply(x, to_json17, ""), collapse = ","), "]"))
  }
  if (is.character(x)) {
    if (length(x) == 1 && is.null(attr(x, "array"))) return(as.character(toJSON(x, auto_unbox = TRUE)))
    return(as.character(toJSON(x)))
  }
  if (is.logical(x) && length(x) == 1 && !is.na(x)) return(if (x) "true" else "false")
  if (is.numeric(x) || is.logical(x)) {
    scalar <- length(x) == 1 && is.null(attr(x, "array"))
    x <- as.numeric(x)
    if (scalar) return(fmt17(x, JSON_INFINITY))
    return(paste0("[", paste(fmt17(x, JSON_INFINITY), collapse = ","), "]"))
  }
  stop("cannot serialise ", class(x))
}
arr <- function(v) structure(v, array = TRUE)  # keep length-1 vectors as arrays

# ---- the tight second source for noncentral-t limits ---------------------------------------------
# pt(t, df, ncp) decreases in ncp; extendInt = "downX" widens the start bracket as needed.
ncp_limits <- function(t, df, level) {
  a <- 1 - level
  f <- function(ncp, p) suppressWarnings(pt(t, df, ncp)) - p
  root <- function(p) uniroot(f, c(t - 1, t + 1), p = p, tol = 1e-12, maxiter = 10000,
                              extendInt = "downX")$root
  c(root(1 - a / 2), root(a / 2))
}
hedges_J <- function(m) exp(lgamma(m / 2) - log(sqrt(m / 2)) - lgamma((m - 1) / 2))

row <- function(measure, method, source, level, estimate = NA, lower = NA, upper = NA,
                statistic = NA, df = NA, p = NA) {
  list(measure = measure, method = method, source = source, level = level, estimate = estimate,
       lower = lower, upper = upper, statistic = statistic, df = df, p = p)
}
# effectsize's optim() can stop far from the root when t is large (R's pt is then piecewise: see
# the header). Record, for each effectsize CI, effectsize's own objective
# |pt(t, df, lower/scale) - (1 - a/2)| + |pt(t, df, upper/scale) - a/2| at the bounds it printed
# (t, df and scale from the matching uniroot row): below 1e-6 it converged to the root.
mark_effectsize <- function(rows) {
  lapply(rows, function(r) {
    if (r$source != "effectsize" || is.na(r$lower)) return(r)
    u <- Filter(function(q) q$source == "uniroot" && q$measure == r$measure && q$level == r$level, rows)
    if (length(u) != 1) return(r)
    u <- u[[1]]
    a <- 1 - r$level
    r$objective <- suppressWarnings(abs(pt(u$statistic, u$df, r$lower / u$scale) - (1 - a / 2)) +
                                      abs(pt(u$statistic, u$df, r$upper / u$scale) - a / 2))
    r
  })
}
# Run an expression, returning NULL (and recording nothing) if the reference itself fails.
try_or_null <- function(expr) tryCatch(suppressWarnings(expr), error = function(e) NULL)

# ---- two independent groups ----------------------------------------------------------------------
# A summary "as papers print it" turned into raw values with exactly that mean and SD.
from_summary <- function(mean, sd, n, seed) {
  set.seed(seed)
  z <- rnorm(n)
  mean + sd * as.vector(scale(z))
}

two_group_cases <- local({
  set.seed(20240601)
  list(
    typical = list(x = round(rnorm(20, 1.0, 1.2), 2), y = round(rnorm(25, 0.3, 1.0), 2)),
    small = list(x = c(5.1, 6.3, 4.8, 7.0), y = c(4.2, 3.9, 5.5, 4.1, 3.3)),
    unequal_var = list(x = round(rnorm(12, 10, 3), 1), y = round(rnorm(30, 8, 1), 1)),
    negative = list(x = round(rnorm(15, 50, 8)), y = round(rnorm(18, 58, 9))),
    paper_summary = list(x = from_summary(24.3, 5.1, 48, 1), y = from_summary(21.7, 4.8, 50, 2),
                         printed = list(treated = list(mean = 24.3, sd = 5.1, n = 48),
                                        control = list(mean = 21.7, sd = 4.8, n = 50))),
    paper_summary_small = list(x = from_summary(3.1, 1.4, 8, 3), y = from_summary(4.9, 2.2, 7, 4),
                               printed = list(treated = list(mean = 3.1, sd = 1.4, n = 8),
                                              control = list(mean = 4.9, sd = 2.2, n = 7))),
    n1_is_one = list(x = 7.5, y = c(6.1, 5.4, 7.9, 6.6, 5.0, 6.8)),
    n_total_3 = list(x = 3.0, y = c(1.0, 2.5)),
    identical = list(x = c(3.1, 4.2, 5.0, 6.3, 2.2), y = c(3.1, 4.2, 5.0, 6.3, 2.2)),
    treated_sd_zero = list(x = c(5, 5, 5, 5), y = c(3.2, 4.1, 2.7, 3.9, 4.4, 3.0)),
    large_d_small_n = list(x = c(10.1, 10.3, 10.2, 10.4), y = c(0.1, 0.3, 0.2, 0.0)),
    large_d = list(x = round(rnorm(30, 20, 1), 2), y = round(rnorm(30, 10, 1), 2)),
    large_n = list(x = round(rnorm(2000, 0.2, 1), 3), y = round(rnorm(2000, 0, 1), 3))
  )
})

two_group_rows <- function(x, y) {
  n1 <- length(x); n2 <- length(y)
  rows <- list()
  add <- function(r) rows[[length(rows) + 1]] <<- r
  for (lv in levels) {
    # Mean difference: t.test, both variance assumptions.
    for (ve in c(FALSE, TRUE)) {
      tt <- try_or_null(t.test(x, y, var.equal = ve, conf.level = lv))
      if (!is.null(tt))
        add(row("mean-difference", if (ve) "pooled" else "welch", "t.test", lv,
                unname(tt$estimate[1] - tt$estimate[2]), tt$conf.int[1], tt$conf.int[2],
                unname(tt$statistic), unname(tt$parameter), tt$p.value))
    }
    # effectsize, as published.
    for (fn in c("cohens_d", "hedges_g", "glass_delta")) {
      es <- try_or_null(get(fn, asNamespace("effectsize"))(x, y, ci = lv))
      if (!is.null(es))
        add(row(c(cohens_d = "cohens-d", hedges_g = "hedges-g", glass_delta = "glass-delta")[[fn]],
                "noncentral-t", "effectsize", lv, es[[1]][1], es$CI_low, es$CI_high))
    }
    # Tight noncentral-t limits, effectsize's definition.
    if (n1 + n2 >= 3) {
      sp <- sqrt(((n1 - 1) * var1(x) + (n2 - 1) * var1(y)) / (n1 + n2 - 2))
      df <- n1 + n2 - 2
      hn <- 1 / n1 + 1 / n2
      d <- (mean(x) - mean(y)) / sp
      if (is.finite(d)) {
        t <- d / sqrt(hn)
        lim <- ncp_limits(t, df, lv) * sqrt(hn)
        add(c(row("cohens-d", "noncentral-t", "uniroot", lv, d, lim[1], lim[2], t, df),
              scale = sqrt(hn)))
        if (df >= 2) {
          J <- hedges_J(df)
          add(c(row("hedges-g", "noncentral-t", "uniroot", lv, J * d, J * lim[1], J * lim[2], t, df),
                scale = J * sqrt(hn)))
        }
        # Normal approximations: metafor SMD (g) and the same form with d.
        z <- qnorm(1 - (1 - lv) / 2)
        v_d <- hn + d^2 / (2 * (n1 + n2))
        add(row("cohens-d", "normal-approx", "hand", lv, d, d - z * sqrt(v_d), d + z * sqrt(v_d)))
        if (df >= 2) {
          es <- escalc("SMD", m1i = mean(x), m2i = mean(y), sd1i = sd1(x), sd2i = sd(y),
                       n1i = n1, n2i = n2)
          add(row("hedges-g", "normal-approx", "metafor", lv, es$yi[1],
                  es$yi[1] - z * sqrt(es$vi[1]), es$yi[1] + z * sqrt(es$vi[1])))
        }
      }
    }
    if (n2 >= 2 && sd(y) > 0 && n1 >= 2) {
      s1 <- sd(x); s2 <- sd(y)
      delta <- (mean(x) - mean(y)) / s2
      h <- 1 / n2 + s1^2 / (n1 * s2^2)
      t <- delta / sqrt(h)
      lim <- ncp_limits(t, n2 - 1, lv) * sqrt(h)
      add(c(row("glass-delta", "noncentral-t", "uniroot", lv, delta, lim[1], lim[2], t, n2 - 1),
            scale = sqrt(h)))
      z <- qnorm(1 - (1 - lv) / 2)
      v <- h + delta^2 / (2 * n2)
      # metafor's SMD1H is the same variance written with its bias-corrected yi = J(n2 - 1) delta.
      m1h <- escalc("SMD1H", m1i = mean(x), m2i = mean(y), sd1i = s1, sd2i = s2, n1i = n1, n2i = n2)
      stopifnot(isTRUE(all.equal(v, m1h$vi[1] - m1h$yi[1]^2 / (2 * n2) + delta^2 / (2 * n2),
                                 tolerance = 1e-13)))
      add(row("glass-delta", "normal-approx", "hand", lv, delta, delta - z * sqrt(v), delta + z * sqrt(v)))
    }
  }
  rows
}
# SD of a group of one counts with weight n - 1 = 0 in the pooled SD (R's var gives NA there).
var1 <- function(v) if (length(v) < 2) 0 else var(v)
sd1 <- function(v) if (length(v) < 2) 0 else sd(v)

two_group <- lapply(names(two_group_cases), function(nm) {
  cs <- two_group_cases[[nm]]
  out <- list(name = nm, x = arr(cs$x), y = arr(cs$y),
              summary = list(treated = list(mean = mean(cs$x), sd = sd1(cs$x), n = length(cs$x)),
                             control = list(mean = mean(cs$y), sd = sd1(cs$y), n = length(cs$y))))
  if (!is.null(cs$printed)) out$printed <- cs$printed
  out$rows <- mark_effectsize(two_group_rows(cs$x, cs$y))
  out
})

# ---- paired --------------------------------------------------------------------------------------
paired_cases <- local({
  set.seed(7)
  base <- round(rnorm(15, 140, 12))
  list(
    typical = list(x = base + round(rnorm(15, -6, 8)), y = base),
    small = list(x = c(12.1, 14.0, 11.2, 15.3), y = c(10.0, 12.5, 11.0, 12.9)),
    negative = list(x = c(5.2, 4.1, 6.0, 3.3, 4.8, 5.5, 4.0), y = c(6.0, 5.9, 6.2, 4.1, 6.6, 5.9, 5.1)),
    # A paper's "mean change -2.4 (SD 3.1), n = 30" as differences against 0.
    paper_summary = list(x = from_summary(-2.4, 3.1, 30, 5), y = rep(0, 30),
                         printed = list(mean = -2.4, sd = 3.1, n = 30)),
    n3 = list(x = c(2.0, 3.5, 2.9), y = c(1.0, 1.5, 2.2)),
    n2 = list(x = c(4.0, 6.5), y = c(3.0, 4.0)),
    large_dz = list(x = c(20.1, 20.3, 19.9, 20.2, 20.0), y = c(10.0, 10.1, 10.0, 10.2, 9.9))
  )
})

paired_rows <- function(x, y) {
  dd <- x - y
  n <- length(dd)
  rows <- list()
  add <- function(r) rows[[length(rows) + 1]] <<- r
  for (lv in levels) {
    tt <- try_or_null(t.test(x, y, paired = TRUE, conf.level = lv))
    if (!is.null(tt))
      add(row("mean-change", "exact", "t.test", lv, unname(tt$estimate), tt$conf.int[1],
              tt$conf.int[2], unname(tt$statistic), unname(tt$parameter), tt$p.value))
    for (fn in c("cohens_d", "hedges_g")) {
      es <- try_or_null(get(fn, asNamespace("effectsize"))(x, y, paired = TRUE, ci = lv))
      if (!is.null(es))
        add(row(if (fn == "cohens_d") "d-z" else "g-z", "noncentral-t", "effectsize", lv,
                es[[1]][1], es$CI_low, es$CI_high))
    }
    dz <- mean(dd) / sd(dd)
    t <- dz * sqrt(n)
    lim <- ncp_limits(t, n - 1, lv) / sqrt(n)
    add(c(row("d-z", "noncentral-t", "uniroot", lv, dz, lim[1], lim[2], t, n - 1), scale = 1 / sqrt(n)))
    z <- qnorm(1 - (1 - lv) / 2)
    v <- 1 / n + dz^2 / (2 * n)
    add(row("d-z", "normal-approx", "hand", lv, dz, dz - z * sqrt(v), dz + z * sqrt(v)))
    if (n >= 3) {
      J <- hedges_J(n - 1)
      add(c(row("g-z", "noncentral-t", "uniroot", lv, J * dz, J * lim[1], J * lim[2], t, n - 1),
            scale = J / sqrt(n)))
      es <- escalc("SMCC", m1i = mean(dd), m2i = 0, sd1i = sd(dd), sd2i = 0, ri = 0, ni = n)
      add(row("g-z", "normal-approx", "metafor", lv, es$yi[1],
              es$yi[1] - z * sqrt(es$vi[1]), es$yi[1] + z * sqrt(es$vi[1])))
    }
  }
  rows
}

paired <- lapply(names(paired_cases), function(nm) {
  cs <- paired_cases[[nm]]
  dd <- cs$x - cs$y
  out <- list(name = nm, x = arr(cs$x), y = arr(cs$y),
              summary = list(mean = mean(dd), sd = sd(dd), n = length(dd)))
  if (!is.null(cs$printed)) out$printed <- cs$printed
  out$rows <- mark_effectsize(paired_rows(cs$x, cs$y))
  out
})

# ---- pt(t, df, ncp) ------------------------------------------------------------------------------
grid <- expand.grid(t = c(-5, -2, -0.5, 0, 0.5, 1.96, 3, 10, 40),
                    df = c(1, 2.5, 10, 58, 1000),
                    ncp = c(-3, -0.5, 0.5, 1, 3, 8, 20, 38, 45))
extra <- data.frame(t = c(110.64, 110.64, 110.64, 2, -1, 5, 0.3, 40, -38),
                    df = c(6, 6, 6, 1e6, 5e5, 3, 0.5, 10, 10),
                    ncp = c(37.6, 37.7, 119.26, 1.5, -0.7, 37.62, 0.2, 38.5, -37))
grid <- rbind(grid, extra)
pnt <- lapply(seq_len(nrow(grid)), function(i) {
  g <- grid[i, ]
  list(t = g$t, df = g$df, ncp = g$ncp, p = suppressWarnings(pt(g$t, g$df, g$ncp)))
})

# ---- ncp limits directly (including very large t, where R's pt uses its normal approximation) ----
ncp_grid <- list(c(2.5, 30), c(0, 10), c(-1.3, 4), c(8, 3), c(45, 100), c(110.64, 6), c(0.2, 1),
                 c(-12, 40))
ncp_ci <- unlist(lapply(ncp_grid, function(g) lapply(levels, function(lv) {
  lim <- ncp_limits(g[1], g[2], lv)
  list(t = g[1], df = g[2], level = lv, lower = lim[1], upper = lim[2])
})), recursive = FALSE)

out <- list(
  generated_by = "tests/reference/continuous.R",
  versions = pkg_versions(c("effectsize", "metafor", "jsonlite")),
  tolerances = list(effectsize = "optim Nelder-Mead, abstol 1e-9 on probabilities (bounds ~1e-6 off)",
                    uniroot = "tol = 1e-12 on R's pt(t, df, ncp)"),
  levels = levels,
  two_group = two_group,
  paired = paired,
  pnt = pnt,
  ncp_ci = ncp_ci
)
writeLines(to_json17(out), "tests/reference/continuous.json")
cat("wrote tests/reference/continuous.json:", length(two_group), "two-group cases,",
    length(paired), "paired cases,", length(pnt), "pt values\n")
