"""Table of a measure.sh log: per workload and structure, the median over repetitions of mclust's and
emix's seconds per iteration (1 thread, all cores), their ratios, and each structure's emix time over
emix's VVV on the same threads.

    python3 bench/compare-mclust/summarize.py measure.log
"""
import statistics
import sys
from collections import defaultdict

times = defaultdict(list)
header = []
for line in open(sys.argv[1]):
    if line.startswith("#"):
        header.append(line.rstrip())
        continue
    parts = line.split()
    if len(parts) < 5:
        continue
    workload, _, tool = parts[0], parts[1], parts[2]
    if tool == "mclust":
        times[(workload, parts[3], "mclust")].append(float(parts[4]))
    elif tool == "emix":
        times[(workload, parts[3], parts[4])].append(float(parts[5]))

print("\n".join(header))
for workload, title in (("w8", "1e5 x 8, k = 8"), ("w4", "1e6 x 4, k = 4")):
    keys = [k for k in times if k[0] == workload]
    if not keys:
        continue
    threads = sorted({k[2] for k in keys if k[2] != "mclust"}, key=lambda t: int(t.split("=")[1]))
    structures = []
    for k in keys:
        if k[1] not in structures:
            structures.append(k[1])
    med = {k: statistics.median(v) for k, v in times.items() if k[0] == workload}
    print(f"\n{title}: seconds per iteration (median of {max(len(v) for k, v in times.items() if k[0] == workload)} alternating rounds)\n")
    cols = ["structure", "mclust"] + [f"emix {t}" for t in threads] + [f"mclust / emix {t}" for t in threads] + [f"emix / emix VVV {t}" for t in threads]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for s in structures:
        m = med.get((workload, s, "mclust"))
        row = [s, f"{m:.4f}" if m is not None else "—"]
        row += [f"{med[(workload, s, t)]:.5f}" if (workload, s, t) in med else "—" for t in threads]
        row += [f"{m / med[(workload, s, t)]:.0f}×" if m is not None and (workload, s, t) in med else "—" for t in threads]
        row += [f"{med[(workload, s, t)] / med[(workload, 'VVV', t)]:.2f}" if (workload, s, t) in med and (workload, "VVV", t) in med else "—" for t in threads]
        print("| " + " | ".join(row) + " |")
