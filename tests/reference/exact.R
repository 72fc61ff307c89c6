#!/usr/bin/env Rscript
# Reference values for src/stats/exact.rs (Fisher's exact test, conditional MLE of the odds ratio,
# exact conditional CI), from R's stats::fisher.test.
#
# Run from the repository root:  Rscript tests/reference/exact.R
# Writes tests/reference/exact.json.
#
# Orientation: cells a, b, c, d = treated events, treated non-events, control events, control
# non-events; R's table is matrix(c(a, c, b, d), 2): rows = groups (treated first), first column =
# events, so the odds ratio is (a d)/(b c), treated versus control.
#
# Precision: fisher.test finds the MLE and the CI limits with uniroot at its default tolerance
# (.Machine$double.eps^0.25, about 1.2e-4 on psi when psi < 1, on 1/psi when psi > 1), so those
# numbers are good to only ~1e-4 relative; the tight second source is exact.py (SciPy). The
# p-value is a finite sum and is accurate to ~1e-13.
#
# jsonlite prints at most 15 significant digits, so numbers are written with sprintf("%.17g")
# by the small writer in lib/common.R; infinite values are written as the strings "Inf"/"-Inf".
source(file.path("tests", "reference", "lib", "common.R"))
num <- function(x) jnum(x, inf = JSON_INF)

# a, b, c, d, level, what the case exercises.
cases <- list(
  list(7, 12, 15, 4, 0.95, "asymmetric table, OR < 1 (orientation check)"),
  list(15, 4, 7, 12, 0.95, "the same table with the groups swapped, OR > 1"),
  list(3, 1, 1, 3, 0.95, "Fisher's tea-tasting table"),
  list(10, 90, 20, 80, 0.95, "typical trial"),
  list(10, 90, 20, 80, 0.90, "typical trial, 90%"),
  list(10, 90, 20, 80, 0.99, "typical trial, 99%"),
  list(1, 9, 11, 3, 0.95, "small counts"),
  list(2, 3, 3, 2, 0.95, "symmetric, MLE 1/x ties in the p-value"),
  list(5, 5, 5, 5, 0.95, "OR exactly 1, p = 1"),
  list(0, 10, 5, 5, 0.95, "a = 0: MLE 0, lower 0"),
  list(5, 5, 10, 0, 0.95, "d = 0: MLE 0, lower 0"),
  list(5, 5, 0, 10, 0.95, "c = 0: MLE Inf, upper Inf"),
  list(10, 0, 5, 5, 0.95, "b = 0: MLE Inf, upper Inf"),
  list(0, 5, 5, 0, 0.95, "two zero cells: a = d = 0"),
  list(1, 0, 0, 1, 0.95, "n = 1 per group"),
  list(1, 0, 1, 3, 0.95, "n1 = 1"),
  list(0, 10, 0, 12, 0.95, "no events in either group (degenerate)"),
  list(10, 0, 12, 0, 0.95, "all events in both groups (degenerate)"),
  list(50, 1, 1, 50, 0.95, "strong association, tiny p"),
  list(500, 49500, 450, 49550, 0.95, "large trial, rare events"),
  list(1500, 1000, 1200, 1300, 0.95, "large counts"),
  list(60000, 40000, 55000, 45000, 0.95, "support of 85001 points")
)

out <- character(0)
for (cs in cases) {
  a <- cs[[1]]; b <- cs[[2]]; c <- cs[[3]]; d <- cs[[4]]; level <- cs[[5]]
  ft <- fisher.test(matrix(c(a, c, b, d), 2), conf.level = level)
  out <- c(out, json_obj(list(
    a = a, b = b, c = c, d = d, level = num(level), what = paste0('"', cs[[6]], '"'),
    estimate = num(unname(ft$estimate)),
    lower = num(ft$conf.int[1]), upper = num(ft$conf.int[2]),
    p_value = num(ft$p.value)
  )))
}

json <- paste0(
  "{\n",
  '"source": "R stats::fisher.test(matrix(c(a, c, b, d), 2), conf.level = level)",\n',
  '"r_version": "', R.version.string, '",\n',
  '"note": "estimate and CI are uniroot-limited (tol ~1.2e-4); p-value exact",\n',
  '"cases": [\n', paste(out, collapse = ",\n"), "\n]\n}\n"
)
writeLines(json, "tests/reference/exact.json", sep = "")
