# Reference values for tests/check.rs (seed claims: pneumothorax rate ratios), R 4.2:
#   Rscript tests/reference/check.R
# Exact conditional rate-ratio CIs (poisson.test: Clopper-Pearson on events_1 of the total).
options(digits = 15)
print(poisson.test(c(12, 4), c(1e5, 1e5))$conf.int)    # 0.909231980884916 12.762344465479320
print(poisson.test(c(120, 40), c(1e6, 1e6))$conf.int)  # 2.08168244192904  4.40534615708083
