# 2000 x 8 rows from a 4-component Gaussian mixture with unequal, correlated covariances (seeded), for
# timing hc(). Usage: Rscript bench/hc/make_data.R OUT.csv [ROWS]
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[1] else "/tmp/hc-bench-2000x8.csv"
n <- if (length(args) >= 2) as.integer(args[2]) else 2000L
set.seed(20261204)
d <- 8; k <- 4
labels <- sample.int(k, n, replace = TRUE)
X <- matrix(0, n, d)
for (j in 1:k) {
  rows <- which(labels == j)
  A <- matrix(rnorm(d * d, sd = 0.5), d, d) + diag(j, d)
  X[rows, ] <- matrix(rnorm(length(rows) * d), ncol = d) %*% A + matrix(rep(3 * j * (1:d %% 3), each = length(rows)), ncol = d)
}
colnames(X) <- paste0("x", 1:d)
write.csv(X, out, row.names = FALSE)
cat("wrote", out, n, "x", d, "\n")
