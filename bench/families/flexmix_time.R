#!/usr/bin/env Rscript
# Seconds per EM iteration of R's flexmix for a multivariate Bernoulli or Poisson mixture,
# from given start labels (bench/families):
#
#   OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 Rscript bench/families/flexmix_time.R \
#       bernoulli|poisson DATA.csv labels.txt [K=8] [N_LO=2] [N_HI=12] [ROWS=all]
#
# Reads DATA.csv (header row; integer cells) and labels.txt (one 0-based label per row), then fits
#   flexmix(X ~ 1, k = K, cluster = <0/1 indicator matrix of the labels>, model = FLXMCmvbinary()
#           or FLXMCmvpois(), control = list(iter.max = N, tolerance = 0, minprior = 0, verbose = 0))
# for N = N_LO and N = N_HI, each timed with system.time(...)["elapsed"], and prints
# (t_hi - t_lo) / (N_HI - N_LO), and the same for user + system CPU time: the cost of one
# iteration (an M-step and an E-step) without the fixed cost of the set-up inside flexmix (model
# frame, the start's M-step bookkeeping, the result).
#
# The start is given as an indicator matrix, not as cluster = labels + 1: for a label vector
# flexmix's initPosteriors starts from the soft posteriors 0.9 / 0.1 (unnormalised), whereas
# emix fit --init-labels starts from the hard partition; the matrix gives flexmix the same
# hard start, so both tools' log-likelihoods can be compared after the same number of M-steps.
#
# flexmix's iteration i is: M-step from the posteriors, E-step, log-likelihood at the parameters
# of that M-step. So logLik(fit) after iter.max = N is the log-likelihood after N M-steps, the
# first from the labels, which is emix fit --init-labels --max-iter N's lower_bound x n_samples
# (and emix fit --max-iter N-1's log_likelihood).
#
# Output: one "key=value ..." line per fit (prefix FIT) and a summary line (prefix RESULT).

suppressPackageStartupMessages({
  library(flexmix)
  library(data.table)
})
setDTthreads(1L)

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 3) stop("usage: flexmix_time.R bernoulli|poisson DATA.csv labels.txt [K] [N_LO] [N_HI] [ROWS]")
family <- args[1]
csv <- args[2]
labfile <- args[3]
K <- if (length(args) >= 4) as.integer(args[4]) else 8L
n_lo <- if (length(args) >= 5) as.integer(args[5]) else 2L
n_hi <- if (length(args) >= 6) as.integer(args[6]) else 12L
rows <- if (length(args) >= 7) as.integer(args[7]) else NA_integer_

model <- switch(family,
  bernoulli = FLXMCmvbinary(),
  poisson = FLXMCmvpois(),
  stop("family must be bernoulli or poisson"))

t_read <- system.time({
  X <- as.matrix(fread(csv, header = TRUE, nThread = 1L))
  labels <- scan(labfile, what = integer(), quiet = TRUE, comment.char = "#")
})["elapsed"]
if (!is.na(rows)) {
  X <- X[seq_len(rows), , drop = FALSE]
  labels <- labels[seq_len(rows)]
}
stopifnot(length(labels) == nrow(X), all(labels >= 0L), all(labels < K))
storage.mode(X) <- "integer"
cluster <- matrix(0, nrow = nrow(X), ncol = K)
cluster[cbind(seq_len(nrow(X)), labels + 1L)] <- 1
cat(sprintf("READ family=%s rows=%d features=%d k=%d read_seconds=%.3f\n",
            family, nrow(X), ncol(X), K, t_read))

fit_once <- function(N) {
  gc()
  fit <- NULL
  st <- system.time(
    fit <- flexmix(X ~ 1, k = K, cluster = cluster, model = model,
                   control = list(iter.max = N, tolerance = 0, minprior = 0, verbose = 0))
  )
  el <- st[["elapsed"]]
  cpu <- st[["user.self"]] + st[["sys.self"]]
  ll <- as.numeric(logLik(fit))
  if (!is.finite(ll)) stop(sprintf("log-likelihood not finite at N = %d: %s", N, ll))
  if (fit@iter != N) stop(sprintf("flexmix ran %d iterations, not %d", fit@iter, N))
  if (fit@k != K) stop(sprintf("flexmix kept %d components, not %d", fit@k, K))
  cat(sprintf("FIT family=%s rows=%d N=%d iter=%d k=%d elapsed=%.3f cpu=%.3f loglik=%.17g\n",
              family, nrow(X), N, fit@iter, fit@k, el, cpu, ll))
  list(el = el, cpu = cpu, ll = ll)
}

lo <- fit_once(n_lo)
hi <- fit_once(n_hi)
cat(sprintf(paste("RESULT tool=flexmix family=%s rows=%d n_lo=%d n_hi=%d t_lo=%.3f t_hi=%.3f sec_per_iter=%.5f",
                  "cpu_lo=%.3f cpu_hi=%.3f cpu_per_iter=%.5f loglik_hi=%.17g\n"),
            family, nrow(X), n_lo, n_hi, lo$el, hi$el, (hi$el - lo$el) / (n_hi - n_lo),
            lo$cpu, hi$cpu, (hi$cpu - lo$cpu) / (n_hi - n_lo), hi$ll))
