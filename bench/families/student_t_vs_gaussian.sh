#!/usr/bin/env bash
# Per-iteration time of Emix's Student-t ECM against its own Gaussian EM on the same rows and start:
# 1e6 rows x 16 features (cluster means plus t(5) noise), k = 8, full matrices, one thread, 8
# iterations from the same random labels, alternating the two families. seconds_per_iter is the
# CLI's mean gap between iteration ends (initialisation and the final E-step excluded).
# Usage: bench/families/student_t_vs_gaussian.sh [EMIX] [REPEATS]
set -euo pipefail
emix=${1:-$(ls "$(dirname "$0")"/../../src/Emix.Cli/bin/Release/net*/Emix.Cli | head -1)}
repeats=${2:-3}
work=${TMPDIR:-/tmp}/emix-t-bench
mkdir -p "$work"
/usr/bin/python3 - "$work" <<'PY'
import sys, numpy as np
rng = np.random.default_rng(1)
k, d, n = 8, 16, 1_000_000
means = rng.normal(0, 3, (k, d))
x = means[rng.integers(0, k, n)] + rng.standard_t(5, (n, d))
np.save(f"{sys.argv[1]}/t16.npy", x)
np.savetxt(f"{sys.argv[1]}/labels.txt", rng.integers(0, k, n), fmt="%d")
PY
grep -m1 "model name" /proc/cpuinfo
echo "| repeat | gaussian s/iter | student-t s/iter | ratio |"
echo "|---|---|---|---|"
for rep in $(seq "$repeats"); do
  declare -A t
  for family in gaussian student-t; do
    t[$family]=$("$emix" fit "$work/t16.npy" -k 8 --family "$family" --init-labels "$work/labels.txt" --max-iter 8 --tol 0 --threads 1 --json --quiet \
      | /usr/bin/python3 -c "import json, sys; print(json.load(sys.stdin)['seconds_per_iter'])")
  done
  /usr/bin/python3 -c "g, s = ${t[gaussian]}, ${t[student-t]}; print(f'| $rep | {g:.4f} | {s:.4f} | {s / g:.2f} |')"
done
