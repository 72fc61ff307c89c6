//! Pure statistics on numbers: no I/O, no data frames. One concept a module; each estimator
//! returns an [`Estimate`] (see [`result`]).
//!
//! | module | what |
//! |---|---|
//! | [`dist`] | distribution functions, quantiles, compensated sums |
//! | [`root`] | Brent root finding for CI inversion |
//! | [`result`] | `Estimate`, `Ci`, `Measure`, `Method` |
//! | [`poisson`] | one incidence rate with its exact (Garwood) CI |
//! | [`rng`] | portable seeded generator (xoshiro256** seeded by SplitMix64) |
//! | [`descriptive`] | n, mean, SD, median, quartiles (Hyndman–Fan types 1–9, R's type 7 default), percent change |
//! | [`ancova`] | OLS treatment difference adjusted for baseline and covariates (Householder QR) |
//! | [`proportion`] | one proportion: Wilson, Wilson-cc, Clopper–Pearson, Agresti–Coull, Jeffreys, Wald |
//! | [`two_by_two`] | RR, OR, RD, NNT, Pearson chi-squared; the zero-cell policy |
//! | [`exact`] | Fisher's exact test, conditional MLE and exact conditional CI of the odds ratio |
//! | [`rates`] | rate ratio (exact conditional, Wald) and rate difference (Wald) |
//! | [`noncentral_t`] | noncentral t CDF (AS 243, as R's pt) and its inversion for CIs |
//! | [`continuous`] | mean difference (Welch, pooled), Cohen's d, Hedges' g, Glass's delta |
//! | [`paired`] | mean change, d_z, g_z |
//! | [`rank`] | Wilcoxon signed rank, Mann–Whitney, Hodges–Lehmann (as R's `wilcox.test`) |
//! | [`stratified`] | Mantel–Haenszel RR/OR/RD, CMH test, Breslow–Day (Tarone) |
//! | [`meta`] | meta-analysis: escalc effect sizes, common effect, τ² by REML/ML/DL/PM/SJ/HE/EB/HS, HKSJ, prediction intervals, Q, I², H², Q-profile CIs |
//! | [`cox`] | Cox proportional hazards (Efron, Breslow ties; Wald, LR, score tests; strata; monotone likelihood), Grambsch–Therneau PH test |
//! | [`bootstrap`] | seeded percentile and BCa intervals for any statistic, thread-count invariant |
//! | [`survival`] | Kaplan–Meier curves (Greenwood SE; log, log-log, plain CIs), quantiles with CIs, RMST; log-rank and Peto–Peto tests, stratified |

pub mod ancova;
pub mod bootstrap;
pub mod continuous;
pub mod cox;
pub mod descriptive;
pub mod dist;
pub mod meta;
pub mod exact;
pub mod noncentral_t;
pub mod paired;
pub mod poisson;
pub mod proportion;
pub mod rank;
pub mod rates;
pub mod result;
pub mod rng;
pub mod root;
pub mod stratified;
pub mod survival;
pub mod two_by_two;

pub use result::{Ci, Estimate, Measure, Method, Subset};
