# Reference values for `trialstat bootstrap` (tests/golden_bootstrap.rs, the command): the
# statistic on the full data for each of its statistics, headache trial (Vickers et al., BMJ
# 2004) 12-month score pk5, group 1 (acupuncture) vs 0 (usual care), rows with pk5 missing left
# out. The intervals come from the bootstrap engine, checked against R's boot.ci in bootstrap.R.
#
# Run from the repository root:  Rscript tests/reference/bootstrap_cmd.R
# Writes tests/reference/bootstrap_cmd.json (17 significant digits).
#   mean_difference    mean(x) - mean(y)
#   ratio_of_means     mean(x) / mean(y)
#   median_difference  median(x) - median(y)            (R's median: type 7)
#   hedges_g           effectsize::hedges_g(x, y)        (pooled SD, exact gamma-function J)
#   n_x, n_y           values used per arm
suppressPackageStartupMessages(library(effectsize))
source(file.path("tests", "reference", "lib", "common.R"))
d <- read.csv(file.path("datasets", "acupuncture_headache", "acupuncture_headache.csv"),
              na.strings = c("", "NA", "."))
x <- d$pk5[d$group == 1 & !is.na(d$pk5)]
y <- d$pk5[d$group == 0 & !is.na(d$pk5)]
out <- list(
  generated_by = '"tests/reference/bootstrap_cmd.R"',
  versions = paste0('"R ', getRversion(), ", effectsize ", packageVersion("effectsize"), '"'),
  n_x = length(x), n_y = length(y),
  mean_difference = jnum(mean(x) - mean(y)),
  ratio_of_means = jnum(mean(x) / mean(y)),
  median_difference = jnum(median(x) - median(y)),
  hedges_g = jnum(hedges_g(x, y)$Hedges_g)
)
writeLines(json_obj(lapply(out, as.character)), file.path("tests", "reference", "bootstrap_cmd.json"))
