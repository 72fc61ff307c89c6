#!/usr/bin/env Rscript
# Reference values for src/stats/rates.rs (incidence rate ratio and difference).
#
# Run from the repository root:  Rscript tests/reference/rates.R
# Writes tests/reference/rates.json.
#
# * Exact conditional rate ratio: stats::poisson.test(c(x1, x2), c(T1, T2)) -- estimate, CI (the
#   Clopper-Pearson limits of binom.test, from qbeta, mapped to psi = p/(1 - p) * T2/T1) and the
#   two-sided binom.test p-value at p0 = T1/(T1 + T2).
# * Cross-check of the exact CI: epiR::epi.2by2(method = "cohort.time"); its element
#   massoc.detail$IRR.strata.wald holds poisson.test's exact interval despite the name. epiR fails
#   on some zero-event tables; those are written as null.
# * Wald rate difference: epiR's massoc.detail$ARate.strata.wald (per `units` = 1 person-time
#   unit here) = (x1/T1 - x2/T2) +- z sqrt(x1/T1^2 + x2/T2^2).
# The Wald rate ratio has no R implementation to compare with that is not the formula itself; its
# reference is statsmodels (rates.py).
#
# jsonlite prints at most 15 significant digits, so numbers are written with sprintf("%.17g");
# infinite values as "Inf"/"-Inf", NA/NaN as null.
suppressPackageStartupMessages(library(epiR))
source(file.path("tests", "reference", "lib", "common.R"))   # jnum, json_obj, pkg_version

num <- function(x) jnum(x, inf = JSON_INF)

# x1, T1, x2, T2, level, what the case exercises.
cases <- list(
  list(3, 25000, 1, 25000, 0.95, "3 vs 1 per 25,000 (IRR 3, CI 0.24-157.5, p 0.625)"),
  list(12, 100000, 4, 100000, 0.95, "12 vs 4 per 100,000"),
  list(41, 28010, 15, 19017, 0.95, "41 / 28,010 vs 15 / 19,017 person-years"),
  list(41, 28010, 15, 19017, 0.90, "the same, 90%"),
  list(41, 28010, 15, 19017, 0.99, "the same, 99%"),
  list(15, 19017, 41, 28010, 0.95, "groups swapped (orientation)"),
  list(10, 1000, 10, 1000, 0.95, "equal rates and times: x1 = expected, p = 1"),
  list(7, 120.5, 13, 98.25, 0.95, "fractional person-time"),
  list(1, 0.5, 1, 2.5, 0.95, "one event each, short times"),
  list(0, 1000, 5, 1200, 0.95, "no treated events: IRR 0, lower 0"),
  list(5, 1000, 0, 1200, 0.95, "no control events: IRR Inf, upper Inf"),
  list(0, 10, 0, 20, 0.95, "no events at all"),
  list(1, 500, 0, 500, 0.95, "a single event"),
  list(5000, 1e6, 4800, 1.1e6, 0.95, "large counts"),
  list(250000, 3e7, 240000, 3.1e7, 0.95, "very large counts"),
  list(2, 1e-3, 30, 5e-2, 0.95, "tiny person-time, large rates")
)

out <- character(0)
for (cs in cases) {
  x1 <- cs[[1]]; T1 <- cs[[2]]; x2 <- cs[[3]]; T2 <- cs[[4]]; level <- cs[[5]]
  pt <- poisson.test(c(x1, x2), c(T1, T2), conf.level = level)
  ep <- tryCatch({
    # epiR warns "NaNs produced" (qf) on zero-event tables; those values are discarded below.
    r <- suppressWarnings(epi.2by2(as.table(matrix(c(x1, x2, T1, T2), nrow = 2)),
                                   method = "cohort.time", conf.level = level, units = 1))
    list(irr = r$massoc.detail$IRR.strata.wald, rd = r$massoc.detail$ARate.strata.wald)
  }, error = function(e) NULL)
  g <- function(part, col) if (is.null(ep)) NA else ep[[part]][[col]]
  out <- c(out, json_obj(list(
    x1 = x1, t1 = num(T1), x2 = x2, t2 = num(T2), level = num(level),
    what = paste0('"', cs[[6]], '"'),
    exact_estimate = num(unname(pt$estimate)),
    exact_lower = num(pt$conf.int[1]), exact_upper = num(pt$conf.int[2]),
    exact_p = num(pt$p.value),
    epir_irr_lower = num(g("irr", "lower")), epir_irr_upper = num(g("irr", "upper")),
    epir_rd_estimate = num(g("rd", "est")),
    epir_rd_lower = num(g("rd", "lower")), epir_rd_upper = num(g("rd", "upper"))
  )))
}

json <- paste0(
  "{\n",
  '"source": "R stats::poisson.test(c(x1, x2), c(T1, T2), conf.level = level); epiR::epi.2by2(method = \\"cohort.time\\", units = 1)",\n',
  '"r_version": "', R.version.string, '",\n',
  '"epiR_version": "', pkg_version("epiR"), '",\n',
  '"cases": [\n', paste(out, collapse = ",\n"), "\n]\n}\n"
)
writeLines(json, "tests/reference/rates.json", sep = "")
