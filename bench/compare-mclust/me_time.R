# Seconds per EM iteration of mclust's me() for each structure, from the same start labels.
#   Rscript bench/compare-mclust/me_time.R DATA.csv LABELS N_LO N_HI STRUCTURE [STRUCTURE ...]
# prints one line per structure: "mclust STRUCTURE SECONDS_PER_ITERATION ITERATIONS_LO ITERATIONS_HI LOGLIK_HI".
# The CSV is read once, outside the timing. Per iteration = (t(N_HI) - t(N_LO)) / (N_HI - N_LO) with t
# the elapsed time of the me() call (system.time), so the start's M-step and the set-up cancel.
# mclust counts its iterations negative when it stops at itmax; the absolute value is printed.
suppressMessages(library(mclust))
args <- commandArgs(trailingOnly = TRUE)
x <- as.matrix(read.csv(args[1]))
labels <- scan(args[2], quiet = TRUE) + 1
lo <- as.integer(args[3])
hi <- as.integer(args[4])
z <- unmap(labels)
run <- function(m, n) {
  control <- emControl(tol = c(0, sqrt(.Machine$double.eps)), itmax = c(n, .Machine$integer.max))
  t <- system.time(fit <- me(data = x, modelName = m, z = z, control = control))[["elapsed"]]
  list(t = t, its = abs(attr(fit, "info")[[1]]), loglik = fit$loglik)
}
for (m in args[5:length(args)]) {
  a <- run(m, lo)
  b <- run(m, hi)
  cat(sprintf("mclust %s %.6f %d %d %.10g\n", m, (b$t - a$t) / (hi - lo), a$its, b$its, b$loglik))
}
