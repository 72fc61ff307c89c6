#!/usr/bin/env Rscript
# Reference values for `trialstat incidence` (src/analysis/incidence.rs) on the CDISC pilot's
# ADTTE (time to first dermatologic event): events (CNSR == 0) and person-time (sum of AVAL,
# days) per arm (TRTA), each arm's exact rate CI (poisson.test(x, T)) and each arm against
# placebo by the exact conditional rate ratio (poisson.test(c(x1, x0), c(T1, T0))).
#
# Run from the repository root:  Rscript tests/reference/incidence.R
# Writes tests/reference/incidence.json. Numbers are written with 17 significant digits.
source(file.path("tests", "reference", "lib", "common.R"))   # jnum, json_obj, pkg_version

d <- read.csv("datasets/cdisc_pilot01/adtte.csv", na.strings = c("", "NA", "."), stringsAsFactors = FALSE)
arms <- c("Placebo", "Xanomeline Low Dose", "Xanomeline High Dose")
x <- sapply(arms, function(a) sum(d$CNSR[d$TRTA == a] == 0))
pt <- sapply(arms, function(a) sum(d$AVAL[d$TRTA == a]))
stopifnot(all(x == c(29, 62, 61)))   # the provenance's 29 / 62 / 61 events

groups <- sapply(arms, function(a) {
  t <- poisson.test(x[[a]], pt[[a]])
  json_obj(list(events = jnum(x[[a]]), person_time = jnum(pt[[a]]), rate = jnum(t$estimate),
                lower = jnum(t$conf.int[1]), upper = jnum(t$conf.int[2])))
})
comparisons <- sapply(arms[-1], function(a) {
  t <- poisson.test(c(x[[a]], x[["Placebo"]]), c(pt[[a]], pt[["Placebo"]]))
  json_obj(list(treatment = paste0('"', a, '"'), estimate = jnum(t$estimate), lower = jnum(t$conf.int[1]),
                upper = jnum(t$conf.int[2]), p_value = jnum(t$p.value)))
})
out <- paste0("{\n",
  '"generated_by": "tests/reference/incidence.R",\n',
  '"versions": {"R": "', R.version$major, ".", R.version$minor, '"},\n',
  '"groups": {', paste0('"', arms, '": ', groups, collapse = ", "), "},\n",
  '"comparisons": [', paste(comparisons, collapse = ", "), "]\n}\n")
writeLines(out, "tests/reference/incidence.json", sep = "")
