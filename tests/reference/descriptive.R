# Reference values for src/stats/descriptive.rs: R's quantile(type = 1..9), summary(quantile.type = k),
# sd, IQR(type = k) and the percent change from baseline (admiral's PCHG convention).
#
# Run from the repository root:  Rscript tests/reference/descriptive.R
# Writes tests/reference/descriptive.json (numbers with 17 significant digits; NA as null).
# tests/reference/descriptive.py reads the input vectors from that file and writes the numpy
# second source (descriptive_py.json), so run this script first (regenerate.sh does).

suppressPackageStartupMessages(library(jsonlite))
# Numbers as verbatim JSON text with 17 significant digits (json_num, json_vec): jsonlite's own
# writer stops at 15.
source(file.path("tests", "reference", "lib", "common.R"))

headache <- read.csv("datasets/acupuncture_headache/acupuncture_headache.csv")

set.seed(20240501)
datasets <- list(
  four = c(1, 2, 3, 4),
  one = 7.5,
  two = c(-3, 10),
  ties = c(2, 2, 2, 5, 5, 9, 9, 9, 9, 12),
  all_equal = rep(4.2, 6),
  decimals = c(0.1, 0.7, 0.2, 0.3, 0.45, 1.1, 0.9),          # unsorted, inexact decimals
  wide = c(-1e6, -2.5, 0, 3.25, 1e-3, 1e6, 42),               # mixed signs and magnitudes
  n11 = as.numeric(1:11),                                      # n·p hits integers (fuzz cases)
  random53 = rnorm(53, mean = 100, sd = 15),
  with_missing = c(3, NA, 1, 4, NA, 1, 5, 9, 2, 6),
  all_missing = c(NA_real_, NA_real_),
  headache_pk5 = as.numeric(headache$pk5),                     # 401 values, 100 missing
  # R's fuzz: for type 8 the index a + p(n + 1 - a - b) lands within 4 eps of an integer at
  # (n = 3, p = 1/2), (n = 5, p = 1/2), (n = 8, p = 0.2); R then takes the order statistic itself.
  # A huge neighbour makes the 2e-16 weight of the other order statistic visible.
  fuzz_n3 = c(-1e15, 1, 2),
  fuzz_n5 = c(1, 2, 3, 1e15, 2e15),
  fuzz_n8 = c(-1e15, 1, 2, 3, 4, 5, 6, 7)
)
probs <- c(0, 0.01, 0.05, 0.1, 0.2, 0.25, 0.3, 1/3, 0.4, 0.5, 0.6, 2/3, 0.7, 0.75, 0.8, 0.9,
           0.95, 0.99, 1)

cases <- lapply(names(datasets), function(nm) {
  x <- datasets[[nm]]
  n <- sum(!is.na(x))
  out <- list(name = nm, x = json_vec(x), n = n, n_missing = sum(is.na(x)))
  if (n > 0) {
    out$quantiles <- lapply(1:9, function(k)
      list(type = k,
           values = json_vec(unname(quantile(x, probs, type = k, na.rm = TRUE)))))
    out$summaries <- lapply(1:9, function(k) {
      s <- unclass(summary(x, quantile.type = k))   # Min, 1st Qu., Median, Mean, 3rd Qu., Max[, NA's]
      list(type = k, min = json_num(s[["Min."]]), q1 = json_num(s[["1st Qu."]]),
           median = json_num(s[["Median"]]), mean = json_num(s[["Mean"]]),
           q3 = json_num(s[["3rd Qu."]]), max = json_num(s[["Max."]]),
           iqr = json_num(IQR(x, na.rm = TRUE, type = k)))
    })
    out$mean <- json_num(mean(x, na.rm = TRUE))
    out$sd <- json_num(sd(x, na.rm = TRUE))   # NA (null) for n = 1
  }
  out
})

# Percent change from baseline as admiral::derive_var_pchg defines it: PCHG = CHG / abs(BASE) * 100.
pc <- data.frame(baseline = c(20, -20, -20, 0.3, 1e-8, 26.5, 10.75, -0.7, 50),
                 follow_up = c(15, -15, -25, 0.1, 2e-8, 40, 0, 0.35, 50))
pc$pchg <- (pc$follow_up - pc$baseline) / abs(pc$baseline) * 100

res <- list(
  generated_by = "tests/reference/descriptive.R",
  versions = pkg_versions("jsonlite"),
  probs = json_vec(probs),
  cases = cases,
  percent_change = lapply(seq_len(nrow(pc)), function(i)
    list(baseline = json_num(pc$baseline[i]), follow_up = json_num(pc$follow_up[i]),
         pchg = json_num(pc$pchg[i])))
)
write_pretty_json(res, "tests/reference/descriptive.json", json_verbatim = TRUE)
