# Reference values for `trialstat change --quantile-type K` (tests/golden_change.rs): the
# quartiles of the baseline (pk1) and of the change (pk5 - pk1) per arm of the headache trial
# (complete pairs), for each of R's quantile types 1-9: quantile(x, c(0.25, 0.75), type = K).
#
# Run from the repository root:  Rscript tests/reference/quantile_cmd.R
# Writes tests/reference/quantile_cmd.json (17 significant digits).
source(file.path("tests", "reference", "lib", "common.R"))
d <- read.csv(file.path("datasets", "acupuncture_headache", "acupuncture_headache.csv"),
              na.strings = c("", "NA", "."))
d <- d[!is.na(d$pk1) & !is.na(d$pk5), ]
entry <- function(x) {
  json_obj(setNames(lapply(1:9, function(k) {
    q <- quantile(x, c(0.25, 0.75), type = k, names = FALSE)
    json_obj(list(q1 = jnum(q[1]), q3 = jnum(q[2])))
  }), paste0("type", 1:9)))
}
arms <- c("1", "0")
out <- json_obj(c(list(generated_by = '"tests/reference/quantile_cmd.R"'),
                  setNames(lapply(arms, function(a) {
                    s <- d[d$group == a, ]
                    json_obj(list(baseline = entry(s$pk1), change = entry(s$pk5 - s$pk1)))
                  }), arms)))
writeLines(out, file.path("tests", "reference", "quantile_cmd.json"))
