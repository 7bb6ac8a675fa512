#!/usr/bin/env bash
# Emix's hierarchical clustering against mclust's hc() (VVV on the SVD transform, as Mclust calls it) on
# 2000 x 8 rows: seconds per call for each, and whether the merges agree. Results: bench/results/hc.md.
#   bench/hc/measure.sh [DATA.csv] [REPS]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DATA="${1:-/tmp/hc-bench-2000x8.csv}"
REPS="${2:-3}"
[ -f "$DATA" ] || Rscript "$HERE/make_data.R" "$DATA" 2000
Rscript "$HERE/hc_time.R" "$DATA" "$DATA.merges" "$REPS"
dotnet run -c Release --project "$HERE/Emix.Bench.Hc" -- "$DATA" "$REPS" "$DATA.merges"
