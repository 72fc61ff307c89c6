# Reference standard errors for src/stats (Estimate::se and Estimate::se_log) from metafor's
# escalc (per-table yi/vi) and rma.mh (Mantel-Haenszel pooled estimates).
#
# Run from the repository root:  Rscript tests/reference/se.R   (writes tests/reference/se.json)
#
# Cell convention: a = treated events of n1, c = control events of n2 (b = n1 - a, d = n2 - c).
# Zero-cell corrections as trialstat applies them (src/stats/two_by_two.rs ZERO_CELL_POLICY):
#   Katz log RR: 0.5 added to every cell only when a or c is 0 -> escalc(to = "only0") for those
#     tables, to = "none" otherwise (escalc's default also corrects b = 0 or d = 0, trialstat not);
#   Woolf OR: 0.5 added when any cell is 0 -> escalc's default (to = "only0");
#   Wald RD: no correction -> to = "none";
#   Wald rate ratio / rate difference: no correction (and no ratio SE with a zero count).
# se_log = sqrt(vi) of the log ratio; se = sqrt(vi) of a difference.
# rma.mh: se of the log MH RR (Greenland-Robins) and OR (Robins-Breslow-Greenland), and of the
# MH RD (Sato's variance, trialstat's Method::Sato).

suppressPackageStartupMessages({ library(metafor) })
source(file.path("tests", "reference", "lib", "common.R"))

tables <- list(
  c(7, 1000, 124, 1000), c(15, 50, 25, 50), c(0, 20, 5, 20), c(3, 40, 0, 38),
  c(20, 20, 10, 20), c(1, 3, 2, 4), c(480, 500, 450, 500)
)
tab_json <- vapply(tables, function(t) {
  a <- t[1]; n1 <- t[2]; c <- t[3]; n2 <- t[4]
  rr_to <- if (a == 0 || c == 0) "only0" else "none"
  rr <- escalc("RR", ai = a, n1i = n1, ci = c, n2i = n2, to = rr_to)
  or <- escalc("OR", ai = a, n1i = n1, ci = c, n2i = n2)
  rd <- escalc("RD", ai = a, n1i = n1, ci = c, n2i = n2, to = "none")
  sprintf('{"a": %d, "n1": %d, "c": %d, "n2": %d, "rr_log": %s, "rr_se_log": %s, "or_log": %s, "or_se_log": %s, "rd": %s, "rd_se": %s}',
          a, n1, c, n2, jnum(rr$yi[1]), jnum(sqrt(rr$vi[1])), jnum(or$yi[1]), jnum(sqrt(or$vi[1])),
          jnum(rd$yi[1]), jnum(sqrt(rd$vi[1])))
}, "")

rates <- list(c(12, 100000, 4, 100000), c(61, 3053, 29, 9855), c(3, 2.5, 7, 11.25))
rate_json <- vapply(rates, function(r) {
  irr <- escalc("IRR", x1i = r[1], t1i = r[2], x2i = r[3], t2i = r[4], to = "none")
  ird <- escalc("IRD", x1i = r[1], t1i = r[2], x2i = r[3], t2i = r[4], to = "none")
  sprintf('{"x1": %d, "t1": %s, "x2": %d, "t2": %s, "irr_log": %s, "irr_se_log": %s, "ird": %s, "ird_se": %s}',
          r[1], jnum(r[2]), r[3], jnum(r[4]), jnum(irr$yi[1]), jnum(sqrt(irr$vi[1])), jnum(ird$yi[1]), jnum(sqrt(ird$vi[1])))
}, "")

# Strata: each row a, n1, c, n2.
strata_sets <- list(
  rbind(c(3, 20, 6, 21), c(4, 30, 9, 28), c(10, 40, 12, 39)),
  rbind(c(15, 50, 25, 50), c(2, 12, 1, 14))
)
mh_json <- vapply(strata_sets, function(s) {
  ai <- s[, 1]; bi <- s[, 2] - s[, 1]; ci <- s[, 3]; di <- s[, 4] - s[, 3]
  rr <- rma.mh(ai = ai, bi = bi, ci = ci, di = di, measure = "RR")
  or <- rma.mh(ai = ai, bi = bi, ci = ci, di = di, measure = "OR")
  rd <- rma.mh(ai = ai, bi = bi, ci = ci, di = di, measure = "RD")
  rows <- paste(apply(s, 1, function(r) sprintf("[%d, %d, %d, %d]", r[1], r[2], r[3], r[4])), collapse = ", ")
  sprintf('{"strata": [%s], "rr_log": %s, "rr_se_log": %s, "or_log": %s, "or_se_log": %s, "rd": %s, "rd_se": %s}',
          rows, jnum(rr$beta[1]), jnum(rr$se), jnum(or$beta[1]), jnum(or$se), jnum(rd$beta[1]), jnum(rd$se))
}, "")

json <- sprintf('{\n  "metafor": "%s",\n  "tables": [\n    %s\n  ],\n  "rates": [\n    %s\n  ],\n  "mh": [\n    %s\n  ]\n}\n',
                as.character(packageVersion("metafor")), paste(tab_json, collapse = ",\n    "),
                paste(rate_json, collapse = ",\n    "), paste(mh_json, collapse = ",\n    "))
writeLines(json, file.path("tests", "reference", "se.json"), sep = "")
