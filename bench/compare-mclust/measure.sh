#!/usr/bin/env bash
# Emix against R's mclust 6 (me()), seconds per EM iteration for each of the 14 covariance
# structures, from the same start labels (one k-means run), on 1e5 x 8 (k = 8) and 1e6 x 4 (k = 4).
#
#   bench/compare-mclust/measure.sh [DATA_DIR]        # default /tmp/mclust-bench
#
# Environment (optional): EMIX (the emix executable; default /tmp/emix-bench-cli/Emix.Cli, published
# from this repository if missing), REPS (alternating repetitions, default 2), N ("N_LO N_HI" for
# mclust, default "2 6"), EMIX_ITER (emix iterations, default 10), STRUCTURES (default all 14).
#
# mclust: (t(N_HI) - t(N_LO)) / (N_HI - N_LO) of me()'s elapsed time in one R process (the CSV read
# once, outside). emix: its own iteration clock (`--json` seconds_per_iter, the mean gap between
# iteration ends: it leaves out the CSV read, the start and the final E-step), with --tol 0 and
# --reg-covar 0 from --init-labels, on 1 thread and on all cores. R's BLAS is printed: mclust's E- and
# M-steps are its own Fortran, single-threaded. Rounds alternate: mclust, emix, mclust, emix.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DATA="${1:-/tmp/mclust-bench}"
EMIX="${EMIX:-/tmp/emix-bench-cli/Emix.Cli}"
REPS="${REPS:-2}"
read -r N_LO N_HI <<<"${N:-2 6}"
EMIX_ITER="${EMIX_ITER:-10}"
STRUCTURES="${STRUCTURES:-EII VII EEI VEI EVI VVI EEE VEE EVE VVE EEV VEV EVV VVV}"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

[[ -f "$DATA/w8.csv" && -f "$DATA/w4.csv" ]] || Rscript "$HERE/make_data.R" "$DATA"
if [[ ! -x "$EMIX" ]]; then
  (cd "$ROOT" && dotnet publish src/Emix.Cli -c Release -o "$(dirname "$EMIX")" -v q)
fi

echo "# machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(getconf _NPROCESSORS_ONLN) cores; flags: $(grep -m1 -o -w 'avx512f' /proc/cpuinfo || echo 'no avx512f') $(grep -m1 -o -w 'avx2' /proc/cpuinfo)"
echo "# mclust $(Rscript -e 'cat(as.character(packageVersion("mclust")))'), R BLAS: $(Rscript -e 'cat(sessionInfo()$BLAS)'); emix $(cd "$ROOT" && git rev-parse --short HEAD)"
for w in "w8 8" "w4 4"; do
  read -r name k <<<"$w"
  for rep in $(seq "$REPS"); do
    Rscript "$HERE/me_time.R" "$DATA/$name.csv" "$DATA/$name.labels" "$N_LO" "$N_HI" $STRUCTURES | sed "s/^/$name rep$rep /"
    for s in $STRUCTURES; do
      for threads in 1 "$(getconf _NPROCESSORS_ONLN)"; do
        json=$("$EMIX" fit "$DATA/$name.csv" -k "$k" --covariance "$s" --init-labels "$DATA/$name.labels" \
          --tol 0 --max-iter "$EMIX_ITER" --reg-covar 0 --threads "$threads" --json -q)
        spi=$(sed -E 's/.*"seconds_per_iter":([0-9.eE+-]+).*/\1/' <<<"$json")
        ll=$(sed -E 's/.*"log_likelihood":([0-9.eE+-]+).*/\1/' <<<"$json")
        echo "$name rep$rep emix $s threads=$threads $spi $ll"
      done
    done
  done
done
