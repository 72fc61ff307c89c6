# metafor's side of the meta-analysis benchmark (benches/meta/run.sh): the REML fit and its
# Q-profile CIs (and, with OPS including leave1out / cumul, the leave-one-out and cumulative
# analyses) of a study file with columns study, yi, vi.
#   Rscript benches/meta/r_meta.R FILE [OPS]    OPS: comma-separated of fit, confint, leave1out, cumul
#                                               (default fit,confint)
# Prints one line per operation: "op seconds".
suppressPackageStartupMessages(library(metafor))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
ops <- strsplit(if (length(args) > 1) args[2] else "fit,confint", ",")[[1]]
t0 <- proc.time()[["elapsed"]]
res <- rma(yi, vi, data = d, method = "REML", slab = study)
cat(sprintf("fit %.3f\n", proc.time()[["elapsed"]] - t0))
if ("confint" %in% ops) { t <- proc.time()[["elapsed"]]; ci <- confint(res); cat(sprintf("confint %.3f\n", proc.time()[["elapsed"]] - t)) }
if ("leave1out" %in% ops) { t <- proc.time()[["elapsed"]]; l <- leave1out(res); cat(sprintf("leave1out %.3f\n", proc.time()[["elapsed"]] - t)) }
if ("cumul" %in% ops) { t <- proc.time()[["elapsed"]]; cu <- cumul(res); cat(sprintf("cumul %.3f\n", proc.time()[["elapsed"]] - t)) }
