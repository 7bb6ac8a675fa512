#!/usr/bin/env bash
# Time per EM iteration and MPI bytes per iteration of distributed fits (docs/distributed.md):
# 1,000,000 × 8 rows, k = 8, full, P = 1, 2, 4 ranks against a plain fit, three runs each, and
# the bytes per iteration for n = 100,000 and 1,000,000. Checks that every model file is
# byte-identical to the plain fit's. Needs python3-numpy and openmpi-bin; ~70 MB in WORK.
#
#   bench/distributed/measure.sh [WORK_FOLDER]   (default /tmp/emix-distributed)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-/tmp/emix-distributed}
mkdir -p "$work"
cd "$work"
export TERM=dumb DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build "$root/src/Emix.Cli/Emix.Cli.csproj" -c Release -o "$work/cli" -v q >/dev/null
for n in 1000000 100000; do
  [ -f "big-$n.npy" ] || /usr/bin/python3 -c "
import numpy as np, sys
n = int(sys.argv[1]); r = np.random.default_rng(8); k = 8; d = 8
means = r.normal(0, 6, (k, d)); labels = r.integers(0, k, n)
np.save('big-%d.npy' % n, means[labels] + r.normal(0, 1, (n, d)))" "$n"
done
CLI="dotnet $work/cli/Emix.Cli.dll"
# TCP over loopback, as between nodes; root; more ranks than cores.
MPI="mpirun --allow-run-as-root --oversubscribe --mca btl self,tcp --mca btl_tcp_if_include lo"
FIT="fit big-1000000.npy -k 8 --covariance full --tol 0 --max-iter 10 --json --quiet"
for rep in 1 2 3; do
  echo "plain threads=2 $($CLI $FIT --threads 2 -o plain.json)"
  echo "P=1 threads=2 $($MPI --bind-to none -np 1 $CLI $FIT --threads 2 --distributed -o p1.json)"
  echo "P=2 threads=1 $($MPI -np 2 $CLI $FIT --threads 1 --distributed -o p2.json)"
  echo "P=4 threads=1 $($MPI -np 4 $CLI $FIT --threads 1 --distributed -o p4.json)"
  cmp plain.json p1.json && cmp plain.json p2.json && cmp plain.json p4.json && echo "run $rep: model files identical"
done
for n in 100000 1000000; do
  for P in 2 4; do
    echo "bytes n=$n P=$P $($MPI -np $P $CLI fit big-$n.npy -k 8 --covariance full --tol 0 --max-iter 5 --json --quiet --threads 1 --distributed)"
  done
done
