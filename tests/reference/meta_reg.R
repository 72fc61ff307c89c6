# Reference values for src/stats/meta.rs: meta-regression on one moderator, leave-one-out and
# cumulative meta-analysis, as R's metafor (Debian r-cran-metafor 3.8-1) computes them.
#
# Run from the repository root:  Rscript tests/reference/meta_reg.R
# Writes tests/reference/meta_reg.json (17 significant digits through lib/common.R's to_json).
# Data: dat_bcg (Colditz 1994; metadat, GPL: read from $METADAT_DIR, else
# /work/shared/datasets/metadat/), log risk ratios by escalc("RR", ai = tpos, bi = tneg,
# ci = cpos, di = cneg); the yi, vi, ablat (absolute latitude) and year used are written out.
#
# ---- Calls ---------------------------------------------------------------------------------------
# Every iterative fit runs with control = list(threshold = 1e-12, maxiter = 1000) (Fisher scoring
# to convergence, not metafor's default 1e-5), so an implementation that converges fully agrees
# to ~1e-9.
#   regression: rma(yi, vi, mods = ~ ablat, method = M, test = T) for M in REML, ML, DL, HE, FE
#     and T in z, knha: coef b (intercept, ablat), se, zval (t for knha), pval, ci.lb, ci.ub,
#     tau2, I2, H2, R2 (NA for FE), QE, QEp, QM, QMp, QMdf (c(m, k - p) for knha: F test).
#   leave1out(rma(yi, vi, method = M)) for M in REML, DL: per study left out estimate, se,
#     pval, ci.lb, ci.ub, Q, Qp, tau2, I2, H2.
#   cumul(rma(yi, vi, method = M), order = year) for M in REML, DL (metafor 3.8's `order` is the
#     variable to sort by): the same columns per step, "order" = order(year), the 1-based study
#     indices in the order used.
#
# ---- meta_reg.json -------------------------------------------------------------------------------
# { "meta": {...}, "yi", "vi", "ablat", "year",
#   "regression": [ {method, test, b, se, stat, pval, ci.lb, ci.ub, tau2, I2, H2, R2, QE, QEp, QM,
#                    QMp, QMdf} ],
#   "leave1out": [ {method, estimate, se, pval, ci.lb, ci.ub, Q, Qp, tau2, I2, H2} (arrays) ],
#   "cumul": [ {method, order, estimate, se, pval, ci.lb, ci.ub, Q, Qp, tau2, I2, H2} ] }

suppressPackageStartupMessages(library(metafor))
source(file.path("tests", "reference", "lib", "common.R"))
dir <- Sys.getenv("METADAT_DIR", "/work/shared/datasets/metadat")
d <- read.csv(file.path(dir, "dat_bcg.csv"))
es <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = d)
ctl <- list(threshold = 1e-12, maxiter = 1000)

reg <- list()
for (m in c("REML", "ML", "DL", "HE", "FE")) for (t in c("z", "knha")) {
  r <- rma(yi, vi, mods = ~ ablat, data = es, method = m, test = t, control = ctl)
  reg[[length(reg) + 1]] <- list(method = m, test = t, b = arr(coef(r)), se = arr(r$se),
    stat = arr(r$zval), pval = arr(r$pval), ci.lb = arr(r$ci.lb), ci.ub = arr(r$ci.ub),
    tau2 = r$tau2, I2 = r$I2, H2 = r$H2, R2 = if (is.null(r$R2)) NA else r$R2, QE = r$QE,
    QEp = r$QEp, QM = r$QM, QMp = r$QMp, QMdf = arr(r$QMdf))
}
cols <- function(x) list(estimate = arr(x$estimate), se = arr(x$se), pval = arr(x$pval),
  ci.lb = arr(x$ci.lb), ci.ub = arr(x$ci.ub), Q = arr(x$Q), Qp = arr(x$Qp), tau2 = arr(x$tau2),
  I2 = arr(x$I2), H2 = arr(x$H2))
l1o <- list()
cum <- list()
for (m in c("REML", "DL")) {
  r <- rma(yi, vi, data = es, method = m, control = ctl)
  l1o[[length(l1o) + 1]] <- c(list(method = m), cols(leave1out(r)))
  # metafor 3.8's `order` is the variable to sort by (not a permutation): the studies enter in
  # order(year) (ties in study order); that permutation is written out.
  cum[[length(cum) + 1]] <- c(list(method = m, order = arr(order(d$year))), cols(cumul(r, order = d$year)))
}
out <- list(meta = list(generated_by = "tests/reference/meta_reg.R", r_version = r_short_version(),
                        metafor = pkg_version("metafor")),
            yi = arr(es$yi), vi = arr(es$vi), ablat = arr(d$ablat), year = arr(d$year),
            regression = reg, leave1out = l1o, cumul = cum)
writeLines(to_json(out), file.path("tests", "reference", "meta_reg.json"))
