#!/usr/bin/python3
"""Data for bench/families: 1e6 rows x 16 features, 8 true components, fixed seeds.

    /usr/bin/python3 bench/families/make_data.py /tmp/families-bench [--rows N]

Writes, to the directory given (not the repository: the CSVs are ~32 MB and ~40 MB):
  bernoulli.csv  0/1 cells; component c has per-feature probabilities uniform in [0.05, 0.95]
  poisson.csv    counts;    component c has per-feature rates uniform in [0.5, 20]
  labels.txt     one uniformly random 0-based start label in 0..7 per row (both families use it)
Each CSV has the header x1..x16. The true components have equal weights (1/8).
"""
import argparse
import os

import numpy as np

K, D = 8, 16


def write_int_csv(path, x):
    """Fast CSV writer for small non-negative integers (np.savetxt is ~10x slower)."""
    n, d = x.shape
    header = ",".join(f"x{j + 1}" for j in range(d))
    with open(path, "w") as f:
        f.write(header + "\n")
        step = 100_000
        for s in range(0, n, step):
            block = x[s:s + step]
            lines = [",".join(map(str, row)) for row in block.tolist()]
            f.write("\n".join(lines))
            f.write("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--rows", type=int, default=1_000_000)
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    n = a.rows

    rng = np.random.default_rng(20261201)
    z = rng.integers(0, K, size=n)                      # true component of each row
    p = rng.uniform(0.05, 0.95, size=(K, D))            # Bernoulli probabilities
    xb = (rng.random((n, D)) < p[z]).astype(np.int64)
    write_int_csv(os.path.join(a.outdir, "bernoulli.csv"), xb)
    del xb

    rng = np.random.default_rng(20261202)
    z = rng.integers(0, K, size=n)
    lam = rng.uniform(0.5, 20.0, size=(K, D))           # Poisson rates
    xp = rng.poisson(lam[z]).astype(np.int64)
    write_int_csv(os.path.join(a.outdir, "poisson.csv"), xp)
    del xp

    rng = np.random.default_rng(20261203)
    labels = rng.integers(0, K, size=n)                 # start labels, independent of the data
    with open(os.path.join(a.outdir, "labels.txt"), "w") as f:
        f.write("\n".join(map(str, labels.tolist())))
        f.write("\n")
    print(f"wrote {n} rows x {D} features (k = {K}) to {a.outdir}: bernoulli.csv, poisson.csv, labels.txt")


if __name__ == "__main__":
    main()
