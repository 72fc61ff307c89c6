# Reference values for tests/golden_bootstrap.rs: R boot's percentile and BCa intervals computed
# from trialstat's own bootstrap replicates.
#
# R and trialstat cannot share a random stream, so trialstat writes its replicates t*, t0 and
# jackknife values to tests/reference/bootstrap_input.json
# (TRIALSTAT_WRITE_BOOTSTRAP_INPUT=1 cargo test --test main golden_bootstrap). This script
#   1. rebuilds each data set and statistic in R,
#   2. computes R's own jackknife influence values, empinf(type = "jack") with strata,
#   3. builds a "boot" object by hand holding trialstat's replicates (checked below to behave
#      exactly as one returned by boot()),
#   4. calls boot.ci(type = c("perc", "bca"), L = <R's jackknife values>) at several levels,
#      recording whether norm.inter warned "extreme order statistics used as endpoints",
#   5. writes tests/reference/bootstrap.json.
# Run from the repository root: Rscript tests/reference/bootstrap.R

suppressPackageStartupMessages({
  library(boot)
  library(jsonlite)
})
source(file.path("tests", "reference", "lib", "common.R"))   # pkg_versions, write_pretty_json

input <- fromJSON("tests/reference/bootstrap_input.json", simplifyVector = FALSE)
cases <- input$cases
num <- function(v) as.numeric(unlist(v))

# Data frame, strata and statistic (stype = "i") for each kind of case.
make_case <- function(statistic, data) {
  data <- lapply(data, num)
  switch(statistic,
    mean = list(
      df = data.frame(x = data$x),
      strata = rep(1, length(data$x)),
      fun = function(d, i) mean(d$x[i])
    ),
    median_diff = list(
      # Two groups resampled separately: rows of x first, then y (trialstat's group order).
      df = data.frame(v = c(data$x, data$y),
                      g = rep(1:2, c(length(data$x), length(data$y)))),
      strata = rep(1:2, c(length(data$x), length(data$y))),
      fun = function(d, i) {
        dd <- d[i, ]
        median(dd$v[dd$g == 1]) - median(dd$v[dd$g == 2])
      }
    ),
    ratio_of_means = list(
      # Paired: one group of pair indices; sum(a)/sum(b) = mean(a)/mean(b).
      df = data.frame(a = data$a, b = data$b),
      strata = rep(1, length(data$a)),
      fun = function(d, i) sum(d$a[i]) / sum(d$b[i])
    ),
    stop("unknown statistic ", statistic)
  )
}

# A boot object built by hand around given replicates (fields as boot() returns them).
hand_boot <- function(t0, t, df, fun, strata) {
  n <- nrow(df)
  tab <- table(strata)
  out <- list(
    t0 = t0, t = matrix(t, ncol = 1), R = length(t), data = df, seed = NULL,
    statistic = fun, sim = "ordinary",
    call = quote(boot(data = df, statistic = fun, R = R, strata = strata)),
    stype = "i", strata = strata,
    weights = as.numeric(1 / tab[as.character(strata)])
  )
  class(out) <- "boot"
  attr(out, "boot_type") <- "boot"
  out
}

# Check that the hand-built object gives exactly what a boot() object gives: resample the first
# two-sample case with R's own generator and compare boot.ci on both.
local({
  c2 <- Filter(function(cs) cs$statistic == "median_diff", cases)[[1]]
  k <- make_case("median_diff", c2$data)
  set.seed(1)
  real <- boot(k$df, k$fun, R = 999, strata = k$strata)
  fake <- hand_boot(real$t0, real$t[, 1], k$df, k$fun, k$strata)
  L <- empinf(real, type = "jack")
  a <- boot.ci(real, type = c("perc", "bca"), L = L)
  b <- boot.ci(fake, type = c("perc", "bca"), L = L)
  stopifnot(identical(a$percent, b$percent), identical(a$bca, b$bca))
  stopifnot(isTRUE(all.equal(real$weights, fake$weights)), identical(real$strata, fake$strata))
})

out_cases <- list()
for (j in seq_along(cases)) {
  cs <- cases[[j]]
  k <- make_case(cs$statistic, cs$data)
  t <- num(cs$t)
  t0 <- cs$t0
  # t0 recomputed in R (also checks that R's statistic is the same function as trialstat's).
  t0_r <- k$fun(k$df, seq_len(nrow(k$df)))
  stopifnot(abs(t0_r - t0) <= 1e-12 * abs(t0))
  L <- empinf(data = k$df, statistic = k$fun, stype = "i", strata = k$strata, type = "jack")
  bo <- hand_boot(t0, t, k$df, k$fun, k$strata)
  levels_out <- list()
  for (level in num(cs$levels)) {
    warned <- character(0)
    ci <- withCallingHandlers(
      boot.ci(bo, conf = level, type = c("perc", "bca"), L = L),
      warning = function(w) {
        warned <<- c(warned, conditionMessage(w))
        invokeRestart("muffleWarning")
      }
    )
    # Which interval triggered the warning: call each interval's function on its own.
    perc_warn <- FALSE
    withCallingHandlers(boot:::perc.ci(t, level), warning = function(w) {
      perc_warn <<- TRUE; invokeRestart("muffleWarning")
    })
    bca_warn <- FALSE
    withCallingHandlers(boot:::bca.ci(bo, level, L = L), warning = function(w) {
      bca_warn <<- TRUE; invokeRestart("muffleWarning")
    })
    stopifnot(length(warned) == (perc_warn + bca_warn))
    levels_out[[length(levels_out) + 1]] <- list(
      level = level,
      perc = unname(ci$percent[1, 4:5]),
      bca = unname(ci$bca[1, 4:5]),
      perc_extreme_warning = perc_warn,
      bca_extreme_warning = bca_warn
    )
  }
  # BCa ingredients exactly as boot:::bca.ci computes them.
  tf <- t[is.finite(t)]
  w <- qnorm(sum(tf < t0) / length(tf))
  a <- sum(L^3) / (6 * sum(L^2)^1.5)
  out_cases[[j]] <- list(
    name = cs$name, statistic = cs$statistic, R = length(t), t0 = t0_r,
    w = w, a = a, empinf_jack = unname(L), levels = levels_out
  )
}

result <- list(
  about = paste("boot.ci(type = c('perc','bca'), L = empinf(type = 'jack')) on trialstat's",
                "replicates from bootstrap_input.json; see tests/reference/bootstrap.R"),
  versions = pkg_versions(c("boot", "jsonlite"), r = r_short_version()),
  cases = out_cases
)
write_pretty_json(result, "tests/reference/bootstrap.json", digits = NA)
