# Reference values for the baseline-characteristics table ("Table 1": src/analysis/baseline.rs)
# of two bundled data sets, by arm and overall, computed with base R 4.2 (no package besides
# jsonlite, used through lib/common.R).
#
# Run from the repository root:  Rscript tests/reference/baseline.R
# Writes tests/reference/baseline.json deterministically (two runs give byte-identical files; no
# time stamp; every number with 17 significant digits via jnum of lib/common.R, NA/NaN -> null).
#
# ---- Inputs ---------------------------------------------------------------------------------------
# headache: datasets/acupuncture_headache/acupuncture_headache.csv (401 rows, one per patient, id
#           unique). Arm column `group`: 0 = usual care (control), 1 = acupuncture.
#           Variables: age (continuous), sex (categorical, 0 = male, 1 = female), migraine
#           (categorical, 1 = migraine, 0 = tension-type), chronicity (continuous, years), pk1
#           (continuous, baseline headache score).
# adsl:     datasets/cdisc_pilot01/adsl.csv (ADaM ADSL, 254 rows, USUBJID unique). Arm column
#           TRT01P, control "Placebo". Variables: AGE (continuous), SEX, RACE (categorical, text),
#           BMIBL (continuous; one empty cell), AGEGR1 (categorical, text). All five columns exist
#           in the file, so no column is substituted (the script stops if one is absent).
#
# ---- Reading --------------------------------------------------------------------------------------
#   read.csv(file, na.strings = c("", "NA"), stringsAsFactors = FALSE, check.names = FALSE)
# then every character column is trimmed (trimws, both sides) and a cell that is empty after
# trimming is missing (NA). Arm values are compared as text after the same trimming.
#
# ---- Groups ---------------------------------------------------------------------------------------
# One group per distinct non-missing arm value, labelled by the value as text ("0", "1";
# "Placebo", "Xanomeline High Dose", ...): the control first, then the others sorted (numerically
# when every arm value is a number, else by text in C-locale byte order), then "Overall" = all rows
# whose arm is not missing. N = number of rows in the group (one row per patient).
#
# ---- Statistics per group -------------------------------------------------------------------------
# continuous (x = the group's values, missing dropped):
#   n = length(x), n_missing = N - n, mean = mean(x), sd = sd(x) (n - 1 denominator),
#   median = median(x), q1 / q3 = quantile(x, 0.25 / 0.75, type = 7) (R's default),
#   min = min(x), max = max(x). With n = 0 every statistic is null; with n = 1 sd is null.
# categorical: levels = the distinct non-missing values over the whole file (the Overall group),
#   sorted numerically when the column is numeric (codes 0/1 -> "0", "1"), else as text in
#   C-locale byte order (sort(method = "radix"); byte order is also Rust's str order). Every group
#   lists every level (count 0 included):
#     count, percent = 100 * count / N (N includes the missing),
#     percent_of_nonmissing = 100 * count / (N - n_missing) (null when N - n_missing = 0),
#   and n_missing = number of missing cells in the group.
#   NOTE: R's plain sort() on text is locale dependent (ICU / strcoll): under this machine's
#   C.UTF-8 it gives AGEGR1 as "<65", ">80", "65-80", while byte order gives "65-80", "<65", ">80".
#   The byte order is used here so the file does not depend on the locale.
#
# ---- baseline.json --------------------------------------------------------------------------------
# { "meta": {generated_by, r_version, note},
#   "files": {
#     "headache" | "adsl": {
#       "file", "arm_column",
#       "groups": [{"label", "N"}, ...]                       (control, other arms, "Overall"),
#       "variables": [{"column", "kind": "continuous" | "categorical",
#                      "by_group": {"<group label>":
#                          continuous:  {n, n_missing, mean, sd, median, q1, q3, min, max}
#                          categorical: {n_missing, levels: [{level, count, percent,
#                                                             percent_of_nonmissing}, ...]}}}]}}}

source(file.path("tests", "reference", "lib", "common.R"))   # to_json, jnum

out_path <- file.path("tests", "reference", "baseline.json")

read_data <- function(path) {
  d <- read.csv(path, na.strings = c("", "NA"), stringsAsFactors = FALSE, check.names = FALSE)
  for (j in seq_along(d)) {
    if (is.character(d[[j]])) {
      x <- trimws(d[[j]])
      x[!is.na(x) & x == ""] <- NA
      d[[j]] <- x
    }
  }
  d
}

# Distinct non-missing values as text, sorted numerically for numbers, else in byte order.
sorted_levels <- function(x) {
  x <- x[!is.na(x)]
  if (is.numeric(x)) return(as.character(sort(unique(x))))
  sort(unique(as.character(x)), method = "radix")
}

na_if_empty <- function(v, n) if (n == 0) NA_real_ else v

continuous_summary <- function(x, N) {
  x <- as.numeric(x[!is.na(x)])
  n <- length(x)
  q <- if (n == 0) c(NA_real_, NA_real_) else
    unname(quantile(x, c(0.25, 0.75), type = 7, names = FALSE))
  list(n = n, n_missing = N - n,
       mean = na_if_empty(mean(x), n),
       sd = if (n < 2) NA_real_ else sd(x),
       median = na_if_empty(median(x), n),
       q1 = q[1], q3 = q[2],
       min = if (n == 0) NA_real_ else min(x),
       max = if (n == 0) NA_real_ else max(x))
}

categorical_summary <- function(x, N, levels) {
  n_missing <- sum(is.na(x))
  nonmiss <- N - n_missing
  xs <- as.character(x[!is.na(x)])
  lv <- lapply(levels, function(l) {
    count <- sum(xs == l)
    list(level = l, count = count, percent = 100 * count / N,
         percent_of_nonmissing = if (nonmiss == 0) NA_real_ else 100 * count / nonmiss)
  })
  list(n_missing = n_missing, levels = lv)
}

baseline_file <- function(path, arm_column, control, variables) {
  d <- read_data(path)
  missing_cols <- setdiff(c(arm_column, names(variables)), names(d))
  if (length(missing_cols) > 0)
    stop(sprintf("%s: columns not found: %s", path, paste(missing_cols, collapse = ", ")))
  arm <- d[[arm_column]]
  keep <- !is.na(arm)
  d <- d[keep, , drop = FALSE]
  arm_txt <- trimws(as.character(d[[arm_column]]))
  arms <- sorted_levels(d[[arm_column]])
  if (!(control %in% arms)) stop(sprintf("%s: control arm '%s' not found", path, control))
  arms <- c(control, setdiff(arms, control))
  groups <- c(lapply(arms, function(a) list(label = a, rows = which(arm_txt == a))),
              list(list(label = "Overall", rows = seq_len(nrow(d)))))
  vars <- lapply(names(variables), function(col) {
    kind <- variables[[col]]
    x <- d[[col]]
    if (kind == "continuous" && !is.numeric(x)) stop(sprintf("%s: column %s is not numeric", path, col))
    levels <- if (kind == "categorical") sorted_levels(x) else NULL
    by_group <- lapply(groups, function(g) {
      N <- length(g$rows)
      if (kind == "continuous") continuous_summary(x[g$rows], N)
      else categorical_summary(x[g$rows], N, levels)
    })
    names(by_group) <- vapply(groups, `[[`, "", "label")
    list(column = col, kind = kind, by_group = by_group)
  })
  list(file = path, arm_column = arm_column,
       groups = lapply(groups, function(g) list(label = g$label, N = length(g$rows))),
       variables = vars)
}

files <- list(
  headache = baseline_file(
    file.path("datasets", "acupuncture_headache", "acupuncture_headache.csv"),
    arm_column = "group", control = "0",
    variables = list(age = "continuous", sex = "categorical", migraine = "categorical",
                     chronicity = "continuous", pk1 = "continuous")),
  adsl = baseline_file(
    file.path("datasets", "cdisc_pilot01", "adsl.csv"),
    arm_column = "TRT01P", control = "Placebo",
    variables = list(AGE = "continuous", SEX = "categorical", RACE = "categorical",
                     BMIBL = "continuous", AGEGR1 = "categorical"))
)

meta <- list(
  generated_by = "tests/reference/baseline.R",
  r_version = R.version.string,
  note = paste(
    "Baseline table by arm (control first, other arms sorted, then Overall = rows with a",
    "non-missing arm). read.csv(na.strings = c(\"\", \"NA\")), text cells trimmed (empty after",
    "trimming = missing). Continuous: n, n_missing, mean, sd (n - 1), median, q1/q3 =",
    "quantile(type = 7), min, max. Categorical: levels over the whole file, numeric codes sorted",
    "numerically, text in C-locale byte order (sort(method = \"radix\"), not the locale-dependent",
    "sort()); percent = 100 * count / N (missing in the denominator), percent_of_nonmissing =",
    "100 * count / (N - n_missing). headache: sex 0 = male, 1 = female; migraine 1 = migraine,",
    "0 = tension-type; group 0 = usual care (control), 1 = acupuncture. adsl: all requested",
    "columns present (none substituted); BMIBL has one empty cell (01-702-1082, Xanomeline Low",
    "Dose). 17 significant digits; NA/NaN -> null.")
)

con <- file(out_path, open = "wb")
writeLines(to_json(list(meta = meta, files = files)), con, sep = "\n")
close(con)
