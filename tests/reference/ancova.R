# Reference values for src/stats/ancova.rs: R's lm() (coef, summary()$coefficients, confint,
# sigma, r.squared) for y ~ treated + baseline + covariates.
#
# Run from the repository root:  Rscript tests/reference/ancova.R
# Writes tests/reference/ancova.json (numbers with 17 significant digits; NA as null).
# Cases:
#   * the acupuncture headache trial (Vickers et al., BMJ 2004;328:744), read from
#     datasets/acupuncture_headache/acupuncture_headache.csv: pk5 ~ group + pk1 [+ age + sex + migraine + chronicity];
#   * synthetic data sets written inline (inputs stored in the JSON so that the Rust test and
#     tests/reference/ancova.py use exactly the same numbers);
#   * rank-deficient designs, where lm() reports an NA coefficient: the name of that coefficient
#     is stored, and trialstat must refuse the fit naming the same column.

suppressPackageStartupMessages(library(jsonlite))
source(file.path("tests", "reference", "lib", "common.R"))   # json_num, json_vec, pkg_versions, ...

# Fit y ~ treated + baseline + <covariates> on data frame d (columns y, treated, baseline, ...).
fit_case <- function(d, covs) {
  f <- reformulate(c("treated", "baseline", covs), response = "y")
  m <- lm(f, data = d)                       # na.action = na.omit: complete cases
  s <- summary(m)
  cf <- s$coefficients
  ci95 <- confint(m, "treated", level = 0.95)
  ci90 <- confint(m, "treated", level = 0.90)
  list(
    n = nobs(m),
    dropped = nrow(d) - nobs(m),
    residual_df = m$df.residual,
    sigma = json_num(s$sigma),
    r_squared = json_num(s$r.squared),
    coefficients = lapply(seq_len(nrow(cf)), function(i)
      list(name = rownames(cf)[i], estimate = json_num(cf[i, 1]), se = json_num(cf[i, 2]),
           t = json_num(cf[i, 3]), p_value = json_num(cf[i, 4]))),
    ci95 = list(lower = json_num(ci95[1]), upper = json_num(ci95[2])),
    ci90 = list(lower = json_num(ci90[1]), upper = json_num(ci90[2]))
  )
}

inline_inputs <- function(d, covs) list(
  outcome = json_vec(d$y), treated = as.logical(d$treated), baseline = json_vec(d$baseline),
  covariates = lapply(covs, function(v) list(name = v, values = json_vec(d[[v]]))))

cases <- list()

# --- Headache trial ---------------------------------------------------------------------------
h <- read.csv("datasets/acupuncture_headache/acupuncture_headache.csv")
hd <- data.frame(y = h$pk5, treated = h$group, baseline = h$pk1, age = h$age, sex = h$sex,
                 migraine = h$migraine, chronicity = h$chronicity)
for (covs in list(character(0), c("age", "sex", "migraine", "chronicity"))) {
  cases[[length(cases) + 1]] <- list(
    name = if (length(covs)) "headache_pk1_age_sex_migraine_chronicity" else "headache_pk1",
    csv = list(file = "datasets/acupuncture_headache/acupuncture_headache.csv", outcome = "pk5", treated = "group",
               baseline = "pk1", covariates = I(covs)),
    r = fit_case(hd, covs))
}

# --- Synthetic data -----------------------------------------------------------------------------
set.seed(20240502)
n <- 40
d <- data.frame(treated = rep(c(0, 1), each = n / 2), baseline = rnorm(n, 50, 10),
                x1 = rnorm(n), x2 = rbinom(n, 1, 0.4))
d$y <- 5 + 3 * d$treated + 0.6 * d$baseline + 1.2 * d$x1 - 2 * d$x2 + rnorm(n, 0, 4)
cases[[length(cases) + 1]] <- list(name = "synthetic_two_covariates",
                                   inputs = inline_inputs(d, c("x1", "x2")), r = fit_case(d, c("x1", "x2")))

# The same with missing values in the outcome, the baseline and a covariate (complete cases).
dm <- d
dm$y[c(3, 17)] <- NA
dm$baseline[25] <- NA
dm$x1[c(17, 30)] <- NA
cases[[length(cases) + 1]] <- list(name = "synthetic_missing",
                                   inputs = inline_inputs(dm, c("x1", "x2")), r = fit_case(dm, c("x1", "x2")))

# Unbalanced arms, no covariates, small effect (p near 0.5).
nu <- 25
du <- data.frame(treated = c(rep(0, 18), rep(1, 7)), baseline = round(runif(nu, 10, 30), 1))
du$y <- 2 + 0.1 * du$treated + 0.9 * du$baseline + rnorm(nu, 0, 3)
cases[[length(cases) + 1]] <- list(name = "unbalanced", inputs = inline_inputs(du, character(0)),
                                   r = fit_case(du, character(0)))

# Smallest useful design: n = 6, one covariate, residual df = 2.
ds <- data.frame(treated = c(0, 0, 0, 1, 1, 1), baseline = c(12, 15, 9, 11, 16, 10),
                 x1 = c(1.5, -0.2, 0.7, 0.1, 2.2, -1.1), y = c(10.5, 13.1, 8.7, 7.2, 12.9, 6.0))
cases[[length(cases) + 1]] <- list(name = "small_n6", inputs = inline_inputs(ds, "x1"), r = fit_case(ds, "x1"))

# Large offset: baseline around 1e5 with unit spread (badly conditioned normal equations,
# condition number of X'X about 1e20; QR handles it).
nl <- 30
dl <- data.frame(treated = rep(c(0, 1), length.out = nl), baseline = 1e5 + rnorm(nl), x1 = rnorm(nl))
dl$y <- 1 + 2 * dl$treated + 1.5 * (dl$baseline - 1e5) + 0.5 * dl$x1 + rnorm(nl)
cases[[length(cases) + 1]] <- list(name = "large_offset", inputs = inline_inputs(dl, "x1"), r = fit_case(dl, "x1"))

# --- Rank-deficient designs: lm() gives an NA coefficient -----------------------------------------
na_coef <- function(d, covs) {
  m <- lm(reformulate(c("treated", "baseline", covs), response = "y"), data = d)
  names(coef(m))[is.na(coef(m))]
}
rd <- d
rd$x3 <- 2 * rd$x1 - 0.5 * rd$baseline + 1           # exact linear combination
rc <- d
rc$x3 <- 7                                            # constant column
ro <- d
ro$treated <- 1                                       # everyone treated
deficient <- list(
  list(name = "collinear_x3", data = rd, covs = c("x1", "x3")),
  list(name = "constant_x3", data = rc, covs = c("x1", "x3")),
  list(name = "one_arm", data = ro, covs = "x1")
)
rank_deficient <- lapply(deficient, function(z) list(
  name = z$name, inputs = inline_inputs(z$data, z$covs), r_na_coefficients = I(na_coef(z$data, z$covs))))

res <- list(
  generated_by = "tests/reference/ancova.R",
  versions = pkg_versions(c("stats", "jsonlite")),
  cases = cases,
  rank_deficient = rank_deficient
)
write_pretty_json(res, "tests/reference/ancova.json", json_verbatim = TRUE, null = "null")
