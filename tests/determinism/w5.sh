#!/usr/bin/env bash
# Determinism at benchmark size: workload W5 of the speed issue (10,000,000 rows × 4 features, k = 4,
# full covariances). Generates the data once (.npy, fixed seed, NumPy), builds the CLI in Release, fits
# with --threads 1 and --threads 2 (default options otherwise: k-means init, tol 1e-3, seed 0) and checks
# that the two model files are byte-identical. Prints the time of each fit.
#
#   tests/determinism/w5.sh [WORK_FOLDER [FIT OPTIONS...]]   (default /tmp/emix-w5; needs ~330 MB there)
#
# Extra fit options are passed on, e.g. `tests/determinism/w5.sh /tmp/emix-w5 --tol 0 --max-iter 20`
# for twenty full EM iterations (the default fit converges in two on this data).
#
# Too slow for CI (minutes; see the README), so it is a script, not a test.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-/tmp/emix-w5}
shift || true
mkdir -p "$work"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

data="$work/w5.npy"
if [ ! -f "$data" ]; then
  if ! /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
    echo "== installing python3-numpy (apt)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-numpy >/dev/null
  fi
  echo "== generating $data (10,000,000 × 4, four Gaussian components, seed 5)"
  /usr/bin/python3 - "$data" <<'EOF'
import sys
import numpy as np

rng = np.random.default_rng(5)
n, d, k = 10_000_000, 4, 4
means = rng.uniform(-10, 10, size=(k, d))
factors = [np.tril(rng.uniform(-0.5, 0.5, size=(d, d)), -1) + np.diag(rng.uniform(0.5, 2.0, size=d)) for _ in range(k)]
labels = rng.choice(k, size=n, p=[0.1, 0.2, 0.3, 0.4])
x = np.empty((n, d))
for j in range(k):
    rows = labels == j
    x[rows] = means[j] + rng.standard_normal((rows.sum(), d)) @ factors[j].T
np.save(sys.argv[1], x.astype("<f8"))
EOF
fi

echo "== building the CLI (Release)"
dotnet build "$root/src/Emix.Cli/Emix.Cli.csproj" -c Release -o "$work/cli" -v q -nologo >/dev/null

for threads in 1 2; do
  model="$work/model-threads-$threads.json"
  rm -f "$model"
  start=$EPOCHREALTIME
  dotnet "$work/cli/Emix.Cli.dll" fit "$data" -k 4 --covariance full --threads "$threads" "$@" --json -o "$model" >"$work/fit-threads-$threads.json"
  seconds=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  echo "threads $threads: $seconds s wall (read + fit + write): $(cat "$work/fit-threads-$threads.json")"
done

if cmp -s "$work/model-threads-1.json" "$work/model-threads-2.json"; then
  echo "W5 ($*): model files are byte-identical for --threads 1 and 2 ($(wc -c <"$work/model-threads-1.json") bytes, sha256 $(sha256sum "$work/model-threads-1.json" | cut -c1-16))"
else
  echo "W5: model files DIFFER for --threads 1 and 2" >&2
  diff <(head -c 4000 "$work/model-threads-1.json") <(head -c 4000 "$work/model-threads-2.json") | head -20 >&2
  exit 1
fi
