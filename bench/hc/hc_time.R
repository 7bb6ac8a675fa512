# Times mclust's hc() as Mclust calls it (VVV on the SVD transform) on a CSV, REPS times, and writes
# the merge pairs (1-based, one "i j" per line) for comparison with Emix's.
# Usage: Rscript bench/hc/hc_time.R DATA.csv MERGES_OUT [REPS]
suppressPackageStartupMessages(library(mclust))
args <- commandArgs(trailingOnly = TRUE)
X <- as.matrix(read.csv(args[1]))
reps <- if (length(args) >= 3) as.integer(args[3]) else 3L
cat(sprintf("mclust %s, R %s, %d x %d\n", packageVersion("mclust"), getRversion(), nrow(X), ncol(X)))
times <- numeric(reps)
for (r in 1:reps) {
  times[r] <- system.time(h <- hc(X, modelName = "VVV", use = "SVD"))[["elapsed"]]
  cat(sprintf("R hc() run %d: %.3f s\n", r, times[r]))
}
cat(sprintf("R hc() median: %.3f s\n", median(times)))
write.table(t(h), args[2], row.names = FALSE, col.names = FALSE)
