# Data for bench/compare-mclust: Gaussian blobs with random covariances, and start labels from one
# k-means run (the same start for mclust and emix).
#   Rscript bench/compare-mclust/make_data.R DIR
# writes DIR/w8.csv (1e5 x 8, k = 8) and DIR/w4.csv (1e6 x 4, k = 4), each with DIR/<name>.labels
# (0-based, one per row).
args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) > 0) args[1] else "/tmp/mclust-bench"
dir.create(dir, showWarnings = FALSE, recursive = TRUE)
make <- function(name, n, d, k, seed) {
  set.seed(seed)
  centres <- matrix(rnorm(k * d, sd = 4), k, d)
  group <- sample.int(k, n, replace = TRUE)
  x <- matrix(0, n, d)
  for (j in 1:k) {
    rows <- which(group == j)
    a <- matrix(rnorm(d * d, sd = 0.5), d, d) + diag(d)
    x[rows, ] <- matrix(rnorm(length(rows) * d), length(rows), d) %*% a + matrix(centres[j, ], length(rows), d, byrow = TRUE)
  }
  colnames(x) <- paste0("x", 1:d)
  write.csv(format(as.data.frame(x), digits = 17), file.path(dir, paste0(name, ".csv")), row.names = FALSE, quote = FALSE)
  start <- kmeans(x, k, iter.max = 20, nstart = 1)$cluster - 1
  writeLines(as.character(start), file.path(dir, paste0(name, ".labels")))
}
make("w8", 1e5, 8, 8, 1)
make("w4", 1e6, 4, 4, 2)
