#!/usr/bin/env bash
# One pass of stepwise EM over 1e8 × 4 rows streamed from a .npy against one batch EM iteration on the
# same file (k = 4, B = 10,000, A = 0.6), with peak memory (max RSS), as issue 18 asks. Both runs stream
# the file (--memory-limit 1G: data larger than half the limit are read chunk by chunk on every pass).
# Usage: bench/online/measure.sh [ROWS]   (default 1e8; writes bench/data/online-ROWS.npy once, 3.2 GB)
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${1:-100000000}
data=bench/data/online-$rows.npy
mkdir -p bench/data
if [ ! -f "$data" ]; then
  /usr/bin/python3 - "$rows" "$data" <<'PY'
import sys, numpy as np
n, path = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(18)
centres = np.array([[0, 0, 0, 0], [3, 1, -2, 0.5], [-2, 3, 1, -1], [1, -3, 2, 2]], float)
out = np.lib.format.open_memmap(path + ".tmp", mode="w+", dtype="<f8", shape=(n, 4))
step = 5_000_000
for start in range(0, n, step):
    m = min(step, n - start)
    labels = rng.integers(0, 4, m)
    out[start:start + m] = centres[labels] + rng.normal(size=(m, 4)) * (0.7 + 0.2 * labels[:, None])
out.flush(); del out
import os; os.replace(path + ".tmp", path)
PY
fi
dotnet build src/Emix.Cli -c Release -v q >/dev/null
emix=(dotnet src/Emix.Cli/bin/Release/net10.0/Emix.Cli.dll)
# The same start for both: k-means on the first 10,000 rows, saved as initial parameters.
init=bench/data/online-$rows-init.json
/usr/bin/python3 - "$data" "$init" <<'PY'
import sys, json, numpy as np
x = np.load(sys.argv[1], mmap_mode="r")[:10000]
rng = np.random.default_rng(0)
means = x[rng.choice(len(x), 4, replace=False)]
v = float(np.mean(np.var(x, axis=0)))
json.dump({"weights": [0.25] * 4, "means": means.tolist(), "covariances": [(np.eye(4) * v).tolist()] * 4}, open(sys.argv[2], "w"))
PY
echo "batch EM, 2 iterations (seconds_per_iter is the gap between their ends):"
/usr/bin/time -f "max RSS %M KiB, %e s" "${emix[@]}" fit "$data" -k 4 --init-params "$init" --max-iter 2 --tol 0 --memory-limit 1G --json --quiet
echo "stepwise EM, one pass, B = 10,000, A = 0.6:"
/usr/bin/time -f "max RSS %M KiB, %e s" "${emix[@]}" fit "$data" -k 4 --init-params "$init" --online --batch-rows 10000 --step-power 0.6 --memory-limit 1G --json --quiet
