# Reference values for src/stats/rank.rs: Wilcoxon signed rank and Wilcoxon-Mann-Whitney
# rank-sum tests with Hodges-Lehmann estimates and CIs, as R's wilcox.test computes them.
#
# Run from the repository root:  Rscript tests/reference/rank.R
# Writes tests/reference/rank.json (all numbers with 17 significant digits, so that the inputs
# round-trip exactly and the outputs can be compared at 1e-9; jsonlite's writer stops at 15).
#
# For every case:
#   r        wilcox.test(..., exact = <method == "exact">, correct = TRUE, conf.int = TRUE,
#            conf.level = level) with R's defaults otherwise (tol.root = 1e-4, digits.rank = Inf).
#   r_tight  the same call with tol.root = 1e-12: R's own uniroot on the *same* function, solved
#            tightly. Only the normal-approximation CI and estimate use uniroot, so this is the
#            tight second source for them (R's default CI is only good to ~1e-4).
#   est_lo, est_hi  the two middle order statistics of the Walsh averages of the non-zero
#            differences (signed rank) or of the differences x_i - y_j (rank sum): the root set of
#            R's estimating equation (see src/stats/rank.rs).
#   exact2   exactRankTests::wilcox.exact (Streitberg-Roehmel shift algorithm), an independent
#            exact p-value, CI and estimate, for the cases where R's exact path applies.
#   warnings R's warnings (e.g. "requested conf.level not achievable").
#   uncorrected  (normal cases) wilcox.test(..., exact = FALSE, correct = FALSE, tol.root = 1e-12):
#            the normal approximation without the continuity correction, tightly solved.
# When R's wilcox.test stops with an error in the CI search, the p-value comes from the same call
# with conf.int = FALSE and `ci_error` holds the message.

suppressPackageStartupMessages({
  library(jsonlite)
  library(exactRankTests)
})
source(file.path("tests", "reference", "lib", "common.R"))   # jnum, pkg_version

# ---- minimal JSON writer with 17 significant digits (numbers by jnum: +-Inf as "Infinity") -----
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
  if (is.logical(x)) return(if (isTRUE(x)) "true" else "false")
  if (length(x) == 1) return(jnum(x))
  paste0("[", paste(vapply(x, jnum, ""), collapse = ","), "]")
}
arr <- function(x) structure(as.numeric(x), class = "jarray")

# ---- run wilcox.test, keeping warnings and errors -----------------------------------------------
run_wt <- function(x, y, exact, level, tol.root = 1e-4) {
  warns <- character(0)
  res <- withCallingHandlers(
    tryCatch(
      if (is.null(y)) wilcox.test(x, exact = exact, correct = TRUE, conf.int = TRUE,
                                  conf.level = level, tol.root = tol.root)
      else wilcox.test(x, y, exact = exact, correct = TRUE, conf.int = TRUE,
                       conf.level = level, tol.root = tol.root),
      error = function(e) e),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  list(res = res, warnings = warns)
}

summarise <- function(out, x, y, exact, level) {
  res <- out$res
  if (inherits(res, "error")) {
    # CI search failed: take the test from the call without conf.int.
    t <- suppressWarnings(if (is.null(y)) wilcox.test(x, exact = exact, correct = TRUE)
                          else wilcox.test(x, y, exact = exact, correct = TRUE))
    return(list(statistic = unname(t$statistic), p = t$p.value, method = t$method,
                ci_error = conditionMessage(res), warnings = as.list(out$warnings)))
  }
  ci <- res$conf.int
  list(statistic = unname(res$statistic), p = res$p.value, method = res$method,
       ci_lo = ci[1], ci_hi = ci[2], conf_level = attr(ci, "conf.level"),
       estimate = unname(res$estimate), warnings = as.list(out$warnings))
}

mid_bounds <- function(x, y) {
  if (is.null(y)) {
    x <- x[x != 0]
    if (length(x) == 0) return(list(est_lo = NA, est_hi = NA))
    o <- outer(x, x, `+`)
    w <- sort(o[!lower.tri(o)]) / 2
  } else {
    w <- sort(outer(x, y, `-`))
  }
  N <- length(w)
  list(est_lo = w[ceiling(N / 2)], est_hi = w[floor(N / 2) + 1])
}

case <- function(name, x, y = NULL, method = "exact", level = 0.95) {
  exact <- method == "exact"
  r <- summarise(run_wt(x, y, exact, level), x, y, exact, level)
  rt <- summarise(run_wt(x, y, exact, level, tol.root = 1e-12), x, y, exact, level)
  out <- list(name = name, kind = if (is.null(y)) "signed" else "ranksum",
              x = arr(x), y = if (is.null(y)) NULL else arr(y),
              method = method, level = level, r = r,
              r_tight = list(ci_lo = rt$ci_lo, ci_hi = rt$ci_hi, estimate = rt$estimate))
  out <- c(out, mid_bounds(x, y))
  if (method == "normal") {
    # Without the continuity correction (correct = FALSE), solved tightly.
    u <- tryCatch(suppressWarnings(
      if (is.null(y)) wilcox.test(x, exact = FALSE, correct = FALSE, conf.int = TRUE, conf.level = level, tol.root = 1e-12)
      else wilcox.test(x, y, exact = FALSE, correct = FALSE, conf.int = TRUE, conf.level = level, tol.root = 1e-12)),
      error = function(e) NULL)
    if (!is.null(u)) out$uncorrected <- list(statistic = unname(u$statistic), p = u$p.value,
                                             ci_lo = u$conf.int[1], ci_hi = u$conf.int[2],
                                             conf_level = attr(u$conf.int, "conf.level"),
                                             estimate = unname(u$estimate))
  }
  if (!is.null(r$method) && grepl("exact", r$method)) {
    e <- if (is.null(y)) wilcox.exact(x, conf.int = TRUE, conf.level = level, exact = TRUE)
         else wilcox.exact(x, y, conf.int = TRUE, conf.level = level, exact = TRUE)
    out$exact2 <- list(statistic = unname(e$statistic), p = e$p.value, ci_lo = e$conf.int[1],
                       ci_hi = e$conf.int[2], estimate = unname(e$estimate))
  }
  out
}

cases <- list()
add <- function(...) cases[[length(cases) + 1]] <<- case(...)

# ---- signed rank -------------------------------------------------------------------------------
# Hollander & Wolfe (1973) p. 29 depression scores (the example of ?wilcox.test): x - y.
hw_x <- c(1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30)
hw_y <- c(0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29)
hw <- hw_x - hw_y
for (lv in c(0.95, 0.90, 0.99)) {
  add(sprintf("sr_hw_exact_%g", lv), hw, method = "exact", level = lv)
  add(sprintf("sr_hw_normal_%g", lv), hw, method = "normal", level = lv)
}
add("sr_n1_exact", 3, method = "exact")                       # level 0 (R: not achievable)
add("sr_n1_normal", 3, method = "normal")                     # CI NaN in R, estimate = midrange
add("sr_n4_exact", c(1.5, 2, -0.3, 4), method = "exact")      # R lowers level to 0.88
add("sr_n5_exact", c(1.1, -0.4, 2.3, 3.7, 0.9), method = "exact")   # coverage 0.9375, R says 0.95
add("sr_negative_exact", c(-1.2, -3.4, -0.5, -2.2, -0.1, -5), method = "exact")
add("sr_ties_exact_requested", c(1, 2, 2, 3, -1, 4, 5, -2, 6), method = "exact")
add("sr_ties_normal", c(1, 2, 2, 3, -1, 4, 5, -2, 6), method = "normal", level = 0.9)
add("sr_zeros_exact_requested", c(0, 1.2, -0.4, 2.2, 0, 3.1, 0.7, -1.5, 2.8), method = "exact")
add("sr_zeros_single_nonzero", c(0, 0, 3), method = "exact")
add("sr_all_equal", c(2, 2, 2), method = "normal")
add("sr_level_to_zero", c(1, 2, 2), method = "normal")        # alpha doubled to >= 1
add("sr_level_halved_a", c(1, 1, 2, 3), method = "normal")   # alpha doubled: level 0.6
add("sr_level_halved_b", c(-1, 2, 2, 3, 3), method = "normal")  # level 0.8
add("sr_level_halved_c", c(1, 2, 2, 3, 3, 4), method = "normal")  # level 0.9
add("sr_ties_unique_root", c(1, 1, 1, 2), method = "normal")
set.seed(20240501)
s49 <- sample(1:5000, 49) * sample(c(-1, 1), 49, replace = TRUE) / 1000 + 0.4
add("sr_n49_exact", s49, method = "exact")
add("sr_n49_normal", s49, method = "normal", level = 0.99)
s60 <- sample(1:9000, 60) * sample(c(-1, 1), 60, replace = TRUE) / 1000 + 0.5
add("sr_n60_exact_explicit", s60, method = "exact", level = 0.9)
add("sr_n60_normal", s60, method = "normal")
s2000 <- rnorm(2000, 0.05)
add("sr_n2000_normal", s2000, method = "normal")
s2000t <- round(rnorm(2000, 0.05), 1)                        # ties and zeros
add("sr_n2000_ties_normal", s2000t, method = "normal")

# ---- rank sum ----------------------------------------------------------------------------------
# ?wilcox.test example (Hollander & Wolfe p. 69): permeability constants.
pm_x <- c(0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46)
pm_y <- c(1.15, 0.88, 0.90, 0.74, 1.21)
for (lv in c(0.95, 0.90, 0.99)) {
  add(sprintf("mw_perm_exact_%g", lv), pm_x, pm_y, method = "exact", level = lv)
  add(sprintf("mw_perm_normal_%g", lv), pm_x, pm_y, method = "normal", level = lv)
}
add("mw_1_1_exact", 1, 2, method = "exact")                   # level 0
add("mw_2_3_exact", c(3.1, 4.2), c(1.0, 2.5, 5.3), method = "exact")   # level 0.8
add("mw_1_39_exact", 1, 2:40, method = "exact")
add("mw_1_79_exact_explicit", 1, 2:80, method = "exact")      # qwilcox's 10*eps fuzz decides
add("mw_ties_exact_requested", c(1, 2, 2, 3, 4, 5), c(2, 3, 3, 6, 7, 8, 9), method = "exact")
add("mw_within_ties_normal", c(1, 1, 2, 5.5), c(3, 4, 4, 0.5, 7), method = "normal")
add("mw_clipped_normal", c(1, 2, 2), c(3, 4), method = "normal")
add("mw_clipped_normal_b", c(1, 2, 2), c(3, 4, 5, 3), method = "normal")
add("mw_constant_groups", c(1, 1), c(2, 2), method = "normal")   # R: CI error
add("mw_normal_small_notie", c(0.3, 1.7, 2.2), c(-0.4, 0.9), method = "normal")
a49 <- sample(-5000:5000, 98) / 1000
add("mw_49_49_exact", a49[1:49] + 0.3, a49[50:98], method = "exact")
add("mw_49_49_normal", a49[1:49] + 0.3, a49[50:98], method = "normal", level = 0.9)
b100 <- sample(-9000:9000, 100) / 1000
add("mw_60_40_exact_explicit", b100[1:60] + 0.5, b100[61:100], method = "exact")
add("mw_60_40_normal", b100[1:60] + 0.5, b100[61:100], method = "normal")
add("mw_2000_normal", rnorm(2000, 0.1), rnorm(2000), method = "normal")
add("mw_1500_ties_normal", round(rnorm(1500, 0.1), 1), round(rnorm(1200), 1), method = "normal")

meta <- list(
  generated_by = "tests/reference/rank.R",
  r_version = R.version.string,
  exactRankTests = pkg_version("exactRankTests"),
  jsonlite = pkg_version("jsonlite"),
  note = "r: wilcox.test defaults (tol.root = 1e-4); r_tight: tol.root = 1e-12; exact2: exactRankTests::wilcox.exact"
)
writeLines(to_json(list(meta = meta, cases = cases)), "tests/reference/rank.json")
