#!/usr/bin/env Rscript
# Reference values for trialstat's single-proportion intervals (src/stats/proportion.rs).
# Run from the repository root:  Rscript tests/reference/proportion.R
# Writes tests/reference/proportion.json.
#
#   wilson        prop.test(x, n, correct = FALSE)$conf.int                (Wilson 1927)
#   wilson_cc     prop.test(x, n, p = p0, correct = TRUE)$conf.int with p0 chosen so that
#                 |x - n p0| >= 1/2: R shrinks the continuity correction to min(1/2, |x - n p0|)
#                 (p0 = the null proportion of the *test*), so only then is its interval
#                 Newcombe's (1998a) method 4, which trialstat implements.
#   wilson_cc_p05 prop.test(x, n, correct = TRUE) with the default p0 = 0.5, recorded to show
#                 where R departs from method 4 (x = n/2: no correction at all).
#   clopper_pearson binom.test(x, n)$conf.int
suppressPackageStartupMessages(library(jsonlite))
source(file.path("tests", "reference", "lib", "common.R"))

cases <- list(
  c(0, 1, 0.95), c(1, 1, 0.95), c(0, 10, 0.95), c(1, 10, 0.95), c(5, 10, 0.95), c(10, 10, 0.95),
  c(3, 7, 0.95), c(12, 20, 0.90), c(81, 263, 0.95), c(81, 263, 0.99), c(0, 50, 0.95),
  c(50, 50, 0.95), c(1, 1000, 0.95), c(999, 1000, 0.95), c(37, 40, 0.80), c(7, 100000, 0.95), c(123456, 987654, 0.95)
)

out <- lapply(cases, function(cs) {
  x <- cs[1]; n <- cs[2]; level <- cs[3]
  # A null proportion far from x/n, so that R applies the full 1/2 correction.
  p0 <- if (x / n < 0.5) 0.999 else 0.001
  stopifnot(abs(x - n * p0) >= 0.5)
  q <- function(...) suppressWarnings(as.numeric(prop.test(...)$conf.int))
  list(
    x = x, n = n, level = level,
    wilson = q(x, n, correct = FALSE, conf.level = level),
    wilson_cc = q(x, n, p = p0, correct = TRUE, conf.level = level),
    wilson_cc_p05 = q(x, n, correct = TRUE, conf.level = level),
    clopper_pearson = as.numeric(binom.test(x, n, conf.level = level)$conf.int)
  )
})

doc <- list(
  generated_by = "tests/reference/proportion.R",
  versions = pkg_versions("jsonlite"),
  cases = out
)
write_pretty_json(doc, "tests/reference/proportion.json", digits = I(17))
