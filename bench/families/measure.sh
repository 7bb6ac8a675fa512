#!/usr/bin/env bash
# Emix against R's flexmix, single-threaded, seconds per EM iteration for multivariate Bernoulli
# (FLXMCmvbinary) and Poisson (FLXMCmvpois) mixtures, 1e6 rows x 16 features, k = 8, both tools
# from the same start labels. See bench/families/README.md.
#
#   bench/families/measure.sh [DATA_DIR]          # default /tmp/families-bench
#
# Environment (all optional):
#   EMIX       the emix executable (default /tmp/emix-bench-cli/Emix.Cli; published from EMIX_SRC
#              with `dotnet publish src/Emix.Cli -c Release -o ...` if it is missing)
#   EMIX_SRC   the source tree emix was built from, for the commit printed (default: this repository)
#   REPS       repetitions of the alternating sequence (default 2)
#   ROWS       rows used (default: all rows of the files, 1e6 from make_data.py)
#   BERN_N     "N_LO N_HI" iteration counts for Bernoulli (default "2 12")
#   POIS_N     "N_LO N_HI" for Poisson (default "2 7": flexmix's Poisson E-step calls dpois on every
#              cell, ~20 s per iteration at 1e6 rows here, so 12 iterations would be a ~4 min fit)
#   LOG        raw log file (default DATA_DIR/measure.log)
#
# Per-iteration time = (t(N_HI) - t(N_LO)) / (N_HI - N_LO) for both tools: the fixed costs (reading
# the CSV, set-up, the start's M-step, the result) cancel. flexmix's t is system.time() of the
# flexmix() call (the CSV is read once per R process, outside it). emix's per-iteration time is its
# own iteration clock (`--json` seconds_per_iter: the mean gap between iteration ends, which leaves
# out the CSV read, the start and the final E-step); the same difference of whole-process wall times
# is printed beside it, but at ~0.1 s per iteration it drowns in the run-to-run noise of reading
# the 1e6-row CSV. SUMMARY_ONLY=1 prints the tables of an existing log without measuring.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DATA="${1:-/tmp/families-bench}"
EMIX="${EMIX:-/tmp/emix-bench-cli/Emix.Cli}"
EMIX_SRC="${EMIX_SRC:-$ROOT}"
REPS="${REPS:-2}"
ROWS="${ROWS:-}"
read -r B_LO B_HI <<<"${BERN_N:-2 12}"
read -r P_LO P_HI <<<"${POIS_N:-2 7}"
LOG="${LOG:-$DATA/measure.log}"
K=8

export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

if [[ ! -f "$DATA/bernoulli.csv" || ! -f "$DATA/poisson.csv" || ! -f "$DATA/labels.txt" ]]; then
  echo "writing the data to $DATA ..." >&2
  /usr/bin/python3 "$HERE/make_data.py" "$DATA"
fi
if [[ ! -x "$EMIX" ]]; then
  echo "publishing emix from $EMIX_SRC to $(dirname "$EMIX") ..." >&2
  (cd "$EMIX_SRC" && dotnet publish src/Emix.Cli -c Release -o "$(dirname "$EMIX")" -v q)
fi

# Optional row cut (both tools see the same rows).
if [[ -n "$ROWS" ]]; then
  CUT="$DATA/cut-$ROWS"
  mkdir -p "$CUT"
  for f in bernoulli poisson; do
    [[ -f "$CUT/$f.csv" ]] || head -n $((ROWS + 1)) "$DATA/$f.csv" >"$CUT/$f.csv"
  done
  [[ -f "$CUT/labels.txt" ]] || head -n "$ROWS" "$DATA/labels.txt" >"$CUT/labels.txt"
  DATA="$CUT"
fi

if [[ -z "${SUMMARY_ONLY:-}" ]]; then
: >"$LOG"
log() { echo "$*" | tee -a "$LOG" >&2; }

run_flexmix() { # family lo hi rep
  local fam=$1 lo=$2 hi=$3 rep=$4 out
  out=$(/usr/bin/time -f "RSS_KB=%M" Rscript "$HERE/flexmix_time.R" "$fam" "$DATA/$fam.csv" "$DATA/labels.txt" \
        "$K" "$lo" "$hi" 2>&1) || { echo "$out" >&2; exit 1; }
  echo "$out" | grep -E '^(READ|FIT|RESULT)' | sed "s/^/rep=$rep /" | tee -a "$LOG" >&2
  log "rep=$rep LOAD after flexmix $fam: $(cut -d' ' -f1-3 /proc/loadavg)"
  log "rep=$rep FXRSS family=$fam rss_kb=$(echo "$out" | sed -n 's/^RSS_KB=//p')"
}

run_emix() { # family N threads rep
  local fam=$1 n=$2 th=$3 rep=$4 t0 t1 js tv
  tv=$(mktemp)
  t0=$EPOCHREALTIME
  js=$(/usr/bin/time -o "$tv" -f "user=%U sys=%S rss_kb=%M" "$EMIX" fit "$DATA/$fam.csv" -k "$K" --family "$fam" \
        --init-labels "$DATA/labels.txt" --max-iter "$n" --tol 0 --threads "$th" --json -q -o "$DATA/emix-$fam-$n.json")
  t1=$EPOCHREALTIME
  log "rep=$rep LOAD after emix $fam N=$n threads=$th: $(cut -d' ' -f1-3 /proc/loadavg)"
  log "rep=$rep EMIX family=$fam N=$n threads=$th wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.4f", b - a}') $(cat "$tv") json=$js"
  rm -f "$tv"
}

for rep in $(seq 1 "$REPS"); do
  log "# repetition $rep"
  run_flexmix bernoulli "$B_LO" "$B_HI" "$rep"
  run_emix bernoulli "$B_LO" 1 "$rep"; run_emix bernoulli "$B_HI" 1 "$rep"
  run_flexmix poisson "$P_LO" "$P_HI" "$rep"
  run_emix poisson "$P_LO" 1 "$rep"; run_emix poisson "$P_HI" 1 "$rep"
done
# Once: emix with N_HI - 1 (its log_likelihood is at the same parameters as flexmix's logLik after
# N_HI, see below) and emix with 2 threads (where the time goes; only meaningful when the second
# core is idle: the LOAD lines in the log say whether it was).
for fam in bernoulli poisson; do
  if [[ $fam == bernoulli ]]; then lo=$B_LO; hi=$B_HI; else lo=$P_LO; hi=$P_HI; fi
  run_emix "$fam" $((hi - 1)) 1 x
  run_emix "$fam" "$lo" 2 x; run_emix "$fam" "$hi" 2 x
done

fi

CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
CORES=$(grep -c ^processor /proc/cpuinfo)
RVER=$(Rscript -e 'cat(R.version.string)' 2>/dev/null)
FXVER=$(Rscript -e 'cat(as.character(packageVersion("flexmix")))' 2>/dev/null)
COMMIT=$(git -C "$EMIX_SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$EMIX_SRC" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo " (+ uncommitted changes)" || true)
DOTNET=$(dotnet --version 2>/dev/null || echo "?")

/usr/bin/python3 - "$LOG" "$CPU" "$CORES" "$RVER" "$FXVER" "$COMMIT$DIRTY" "$DOTNET" "$REPS" <<'EOF'
import json, re, statistics, sys
log, cpu, cores, rver, fxver, commit, dotnet, reps = sys.argv[1:]
kv = lambda s: dict(re.findall(r'(\w+)=(\S+)', s))
fx, fxrss, em = [], {}, []
for line in open(log):
    line = line.strip()
    if " RESULT " in line:
        fx.append(kv(line))
    elif " FXRSS " in line:
        d = kv(line); fxrss.setdefault(d["family"], []).append(int(d["rss_kb"]))
    elif " EMIX " in line:
        head, js = line.split(" json=", 1)
        d = kv(head); d["json"] = json.loads(js); em.append(d)

def emix_runs(fam, n, th, rep=None):
    return [e for e in em if e["family"] == fam and int(e["N"]) == n and int(e["threads"]) == th
            and (rep is None or e["rep"] == rep)]

print(f"Machine: {cpu}, {cores} cores; {rver}, flexmix {fxver}; emix {commit} (.NET SDK {dotnet}, "
      f"`dotnet publish -c Release`, JIT); OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=1, emix --threads 1.")
print()
print("| family | rows | N_lo → N_hi | flexmix s/iter | emix s/iter | ratio (flexmix / emix) | emix s/iter by process wall times | flexmix peak RSS | emix peak RSS |")
print("|---|---|---|---|---|---|---|---|---|")
ll_rows, cpu_rows = [], []
for fam in ("bernoulli", "poisson"):
    fr = [r for r in fx if r["family"] == fam]
    if not fr:
        continue
    lo, hi, rows = int(fr[0]["n_lo"]), int(fr[0]["n_hi"]), int(fr[0]["rows"])
    f_it = [float(r["sec_per_iter"]) for r in fr]
    f_cpu = [float(r["cpu_per_iter"]) for r in fr]
    e_it, e_wall, e_cpu = [], [], []
    cpu = lambda e: float(e["user"]) + float(e["sys"])
    for r in sorted({e["rep"] for e in em if e["rep"] != "x"}):
        a, b = emix_runs(fam, lo, 1, r), emix_runs(fam, hi, 1, r)
        if a and b:
            e_it.append(float(b[0]["json"]["seconds_per_iter"]))
            e_wall.append((float(b[0]["wall"]) - float(a[0]["wall"])) / (hi - lo))
            e_cpu.append((cpu(b[0]) - cpu(a[0])) / (hi - lo))
    cpu_rows.append((fam, statistics.mean(f_cpu), f_cpu, statistics.mean(e_cpu), e_cpu))
    e_rss = max(int(e["rss_kb"]) for e in em if e["family"] == fam and int(e["threads"]) == 1)
    fm, emm = statistics.mean(f_it), statistics.mean(e_it)
    fmt = lambda xs: " / ".join(f"{x:.3f}" for x in xs)
    print(f"| {fam} | {rows:,} | {lo} → {hi} | **{fm:.3f}** ({fmt(f_it)}) | **{emm:.4f}** ({' / '.join(f'{x:.4f}' for x in e_it)}) "
          f"| **{fm / emm:.1f}×** | {' / '.join(f'{x:.4f}' for x in e_wall)} | {max(fxrss[fam]) / 1024:.0f} MiB | {e_rss / 1024:.0f} MiB |")
    # log-likelihoods after hi M-steps
    f_ll = float(fr[0]["loglik_hi"])
    e_hi = emix_runs(fam, hi, 1)[0]["json"]
    e_lb = e_hi["lower_bound"] * e_hi["n_samples"]
    e_prev = emix_runs(fam, hi - 1, 1)
    e_ll = e_prev[0]["json"]["log_likelihood"] if e_prev else float("nan")
    ll_rows.append((fam, hi, f_ll, e_lb, e_ll, e_hi["log_likelihood"],
                    len({r["loglik_hi"] for r in fr}) == 1))
    # emix: its own per-iteration timer and 2 threads
    own = [e["json"].get("seconds_per_iter") for e in emix_runs(fam, hi, 1)]
    t2a, t2b = emix_runs(fam, lo, 2), emix_runs(fam, hi, 2)
    t2 = float(t2b[0]["json"]["seconds_per_iter"]) if t2b else float("nan")
    ll_rows[-1] += (own, t2, emm)

print()
print(f"Mean of {reps} alternating repetitions (each repetition's value in parentheses). flexmix: "
      "(t(N_hi) − t(N_lo)) / (N_hi − N_lo) of system.time(flexmix(...)); emix: its iteration clock (--json "
      "seconds_per_iter of the N_hi run: the mean gap between iteration ends). The wall-time column is the "
      "difference of whole `emix fit` processes, dominated by the noise of reading the CSV once the fit is this fast. Peak RSS: flexmix's is the R process (data, both fits), "
      "emix's the largest `emix fit` process.")
print()
print("The same difference of CPU time (user + system: flexmix's system.time, emix's /usr/bin/time of the "
      "process), less sensitive to other tenants on a shared machine:")
print()
print("| family | flexmix CPU s/iter | emix CPU s/iter | ratio |")
print("|---|---|---|---|")
for fam, fm, fl, emm, el in cpu_rows:
    f3 = lambda xs, p: " / ".join(f"{x:.{p}f}" for x in xs)
    print(f"| {fam} | {fm:.3f} ({f3(fl, 3)}) | {emm:.4f} ({f3(el, 4)}) | {fm / emm:.1f}× |")
print()
print("Log-likelihood after N_hi M-steps from the labels (flexmix logLik(fit) with iter.max = N_hi; emix "
      "lower_bound × n_samples with --max-iter N_hi, and log_likelihood with --max-iter N_hi − 1):")
print()
print("| family | N_hi | flexmix logLik | emix lower_bound × n (N_hi) | rel. diff | emix log_likelihood (N_hi − 1) | rel. diff | emix log_likelihood (N_hi) |")
print("|---|---|---|---|---|---|---|---|")
for fam, hi, f_ll, e_lb, e_ll, e_last, same, own, t2, emm in ll_rows:
    rd = lambda a: abs(a - f_ll) / abs(f_ll)
    print(f"| {fam} | {hi} | {f_ll:.10f} | {e_lb:.10f} | {rd(e_lb):.1e} | {e_ll:.10f} | {rd(e_ll):.1e} | {e_last:.10f} |")
print()
for fam, hi, f_ll, e_lb, e_ll, e_last, same, own, t2, emm in ll_rows:
    print(f"- {fam}: flexmix logLik identical across repetitions: {same}; emix's own seconds_per_iter "
          f"(JSON, N_hi runs): {', '.join(f'{x:.4f}' for x in own if x is not None)}; "
          f"emix --threads 2: {t2:.4f} s/iter ({emm / t2:.2f}× the 1-thread speed; one run, needs an idle second core).")
EOF
