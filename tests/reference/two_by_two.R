#!/usr/bin/env Rscript
# Reference values for trialstat's 2x2 estimators (src/stats/two_by_two.rs).
# Run from the repository root:  Rscript tests/reference/two_by_two.R
# Writes tests/reference/two_by_two.json.
#
# Each case is a/n1 (treated) vs c/n2 (control), cells a, b = n1 - a, c, d = n2 - c.
#
#   chisq      chisq.test(matrix(c(a, c, b, d), 2), correct = FALSE / TRUE): statistic, p
#              (R's Yates correction is min(0.5, |O - E|)). Skipped with an empty margin (NaN).
#   rr_katz    epiR's Wald (Katz) RR routine, epiR:::zRRwald                    (a, c > 0)
#   or_woolf   epiR's Wald (Woolf) OR routine, epiR:::zORwald                   (no zero cell)
#   rr_koopman epiR's score RR routine, epiR:::zRRscore: Koopman's (1984) interval via Nam's
#              cubic (the cases with a = n1 or c = n2 but not both are solved by epiR with
#              1.0001 steps, so ~1e-4 there).
#   epi.2by2 itself is not called: it evaluates every measure, and its score-OR search
#   (zORscore) fails with an error on several of these tables. The routines are called with the
#   cell order each reads: zRRwald / zORwald read (a, c, b, d), the order epi.2by2 passes;
#   zRRscore reads (a, b, c, d), so epi.2by2 -- which passes (a, c, b, d) to it too -- gives the
#   right score RR only for the transposed table (the Debian epiR 2.0.57 fault).
#   rr_katz_corrected  Katz with 0.5 added to every cell, where a or c is 0, computed here from
#              the formula exp(log(RR') +- z sqrt(1/a' - 1/n1' + 1/c' - 1/n2')) (no package
#              applies exactly this correction).
#
# Published values (4 decimals, typed in from the papers; `published` below):
#   Newcombe RG (1998). Interval estimation for the difference between independent proportions:
#   comparison of eleven methods. Stat Med 17:873-890, Table II: method 10 (hybrid score,
#   "newcombe") and method 6 (Miettinen-Nurminen, "mn") for examples (a)-(h).
#   Fagerland MW, Lydersen S, Laake P (2015). Stat Methods Med Res 24:224, example 7/34 vs 1/34:
#   Koopman RR 1.21 to 43 (2 significant digits).
#   Nam J (1995) Biometrics 51:1377 (Koopman's example 36/40 vs 16/80): Koopman RR 2.940 to 7.152.
suppressPackageStartupMessages({ library(jsonlite); library(epiR) })
source(file.path("tests", "reference", "lib", "common.R"))

B <- 2^53
cases <- list(
  c(56, 70, 48, 80, 0.95), c(9, 10, 3, 10, 0.95), c(6, 7, 2, 7, 0.95), c(5, 56, 0, 29, 0.95),
  c(0, 10, 0, 20, 0.95), c(0, 10, 0, 10, 0.95), c(10, 10, 0, 20, 0.95), c(10, 10, 0, 10, 0.95),
  c(7, 34, 1, 34, 0.95), c(36, 40, 16, 80, 0.95), c(84, 101, 89, 105, 0.95),
  c(1, 1, 0, 1, 0.95), c(1, 1, 1, 1, 0.95), c(0, 1, 1, 1, 0.95), c(15, 20, 15, 20, 0.95),
  c(0, 25, 5, 25, 0.95), c(10, 10, 8, 10, 0.95), c(30, 40, 40, 40, 0.95), c(20, 20, 20, 20, 0.95),
  c(0, 12, 12, 12, 0.95), c(3, 29, 6, 36, 0.90), c(3, 29, 6, 36, 0.99),
  c(1234, 5000, 1100, 5000, 0.95)
)

quiet <- function(expr) suppressWarnings(suppressMessages(expr))
ci3 <- function(df) as.numeric(df[1, c("est", "lower", "upper")])

out <- lapply(cases, function(cs) {
  a <- cs[1]; n1 <- cs[2]; c <- cs[3]; n2 <- cs[4]; level <- cs[5]
  b <- n1 - a; d <- n2 - c
  row <- list(a = a, n1 = n1, c = c, n2 = n2, level = level)
  tab <- matrix(c(a, c, b, d), nrow = 2, dimnames = list(c("treated", "control"), c("event", "none")))
  if (a + c > 0 && b + d > 0) {
    for (corr in c(FALSE, TRUE)) {
      t <- quiet(chisq.test(tab, correct = corr))
      row[[if (corr) "chisq_yates" else "chisq_pearson"]] <- c(unname(t$statistic), t$p.value)
    }
  }
  acbd <- c(a, c, b, d); abcd <- c(a, b, c, d)
  if (a > 0 && c > 0) row$rr_katz <- as.numeric(epiR:::zRRwald(acbd, level))
  if (min(a, b, c, d) > 0) row$or_woolf <- as.numeric(epiR:::zORwald(acbd, level))
  row$rr_koopman <- as.numeric(quiet(epiR:::zRRscore(abcd, level)))
  # Check once that the transposed-table route through epi.2by2 gives the same score RR.
  if (a == 56 && c == 48) {
    et <- quiet(epi.2by2(as.table(t(tab)), method = "cohort.count", conf.level = level))
    stopifnot(isTRUE(all.equal(ci3(et$massoc.detail$RR.strata.score), row$rr_koopman)))
  }
  if ((a == 0 || c == 0) && !(a == 0 && c == 0)) {
    z <- qnorm(1 - (1 - level) / 2)
    a2 <- a + 0.5; c2 <- c + 0.5; m1 <- n1 + 1; m2 <- n2 + 1
    rr <- (a2 / m1) / (c2 / m2)
    se <- sqrt(1 / a2 - 1 / m1 + 1 / c2 - 1 / m2)
    row$rr_katz_corrected <- c(rr, exp(log(rr) - z * se), exp(log(rr) + z * se))
  }
  row
})

# Published limits (see the header). Each: a, n1, c, n2, lower, upper, decimals.
published <- list(
  newcombe = list(
    c(56, 70, 48, 80, 0.0524, 0.3339), c(9, 10, 3, 10, 0.1705, 0.8090),
    c(6, 7, 2, 7, 0.0582, 0.8062), c(5, 56, 0, 29, -0.0381, 0.1926),
    c(0, 10, 0, 20, -0.1611, 0.2775), c(0, 10, 0, 10, -0.2775, 0.2775),
    c(10, 10, 0, 20, 0.6791, 1.0000), c(10, 10, 0, 10, 0.6075, 1.0000)),
  mn = list(
    c(56, 70, 48, 80, 0.0528, 0.3382), c(9, 10, 3, 10, 0.1700, 0.8406),
    c(6, 7, 2, 7, 0.0342, 0.8534), c(5, 56, 0, 29, -0.0326, 0.1933),
    c(0, 10, 0, 20, -0.1658, 0.2844), c(0, 10, 0, 10, -0.2879, 0.2879),
    c(10, 10, 0, 20, 0.7156, 1.0000), c(10, 10, 0, 10, 0.6636, 1.0000)),
  koopman_nam1995 = list(c(36, 40, 16, 80, 2.940, 7.152)),
  koopman_fagerland2015 = list(c(7, 34, 1, 34, 1.21, 43))
)

doc <- list(
  generated_by = "tests/reference/two_by_two.R",
  versions = pkg_versions(c("epiR", "jsonlite")),
  cases = out,
  published = published
)
write_pretty_json(doc, "tests/reference/two_by_two.json", digits = NA)
