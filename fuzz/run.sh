#!/usr/bin/env bash
# Fuzzes one Emix reader with AFL++ through SharpFuzz for a given time, then reports.
#
#   fuzz/run.sh TARGET SECONDS        TARGET: csv | npy | model
#
# Steps: installs AFL++ (Debian package afl++) when afl-fuzz is missing; installs the SharpFuzz
# instrumenter (dotnet tool SharpFuzz.CommandLine 2.3.0) into fuzz/.tools; builds fuzz/Emix.Fuzz in
# Release into fuzz/work/TARGET/bin and instruments the Emix.dll there (never the one in src/); seeds AFL
# with the small files of the malformed-input corpus (tests/corpus) and the real data sets; runs afl-fuzz
# for SECONDS; prints executions, paths, crashes and hangs from AFL's fuzzer_stats, copies crashing inputs
# to fuzz/findings/TARGET/ and replays them through the uninstrumented harness to show each exception.
#
# One core: run one target at a time. Environment: EMIX_FUZZ_TIMEOUT_MS (per input, default 5000).
set -euo pipefail

target=${1:-}
seconds=${2:-}
case "$target" in csv | npy | model) ;; *) echo "usage: fuzz/run.sh csv|npy|model SECONDS" >&2; exit 2 ;; esac
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: fuzz/run.sh csv|npy|model SECONDS" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/fuzz/work/$target"
tools="$root/fuzz/.tools"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if ! command -v afl-fuzz >/dev/null; then
  echo "== installing afl++ (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq afl++ >/dev/null
fi
if [ ! -x "$tools/sharpfuzz" ]; then
  echo "== installing the SharpFuzz instrumenter (dotnet tool SharpFuzz.CommandLine 2.3.0)"
  dotnet tool install --tool-path "$tools" SharpFuzz.CommandLine --version 2.3.0 >/dev/null
fi

echo "== building the harness and instrumenting Emix.dll"
rm -rf "$work/bin"
dotnet build "$root/fuzz/Emix.Fuzz/Emix.Fuzz.csproj" -c Release -o "$work/bin" -v q -nologo >/dev/null
"$tools/sharpfuzz" "$work/bin/Emix.dll"

echo "== seeds"
seeds="$work/seeds"
rm -rf "$seeds" && mkdir -p "$seeds"
case "$target" in
  csv) sources=("$root/tests/corpus/csv" "$root/tests/corpus/tsv" "$root/tests/fixtures/data") ;;
  npy) sources=("$root/tests/corpus/npy") ;;
  model) sources=("$root/tests/corpus/model" "$root/tests/corpus/init") ;;
esac
# AFL wants small seeds; keep files up to 8 KB (the real data sets are cut to their first 8 KB).
for folder in "${sources[@]}"; do
  for file in "$folder"/*; do
    [ -f "$file" ] || continue
    case "$file" in *.md | *.py) continue ;; esac
    head -c 8192 "$file" >"$seeds/$(basename "$(dirname "$file")")-$(basename "$file")"
  done
done
# An empty file is a valid input but AFL refuses empty seeds.
find "$seeds" -type f -empty -delete
echo "$(find "$seeds" -type f | wc -l) seeds"

findings="$work/findings"
rm -rf "$findings"
echo "== afl-fuzz $target for $seconds s"
export AFL_SKIP_BIN_CHECK=1                    # the target is 'dotnet', not an AFL-compiled binary
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 # containers often cannot change core_pattern
export AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1 AFL_QUIET=1
export AFL_FORKSRV_INIT_TMOUT=60000            # the .NET runtime takes a while to start
dictionary=()
[ -f "$root/fuzz/dict/$target.dict" ] && dictionary=(-x "$root/fuzz/dict/$target.dict")
started=$(date +%s)
timeout -k 30 $((seconds + 120)) afl-fuzz -i "$seeds" -o "$findings" -t "${EMIX_FUZZ_TIMEOUT_MS:-5000}" -m none \
  -V "$seconds" "${dictionary[@]}" -- dotnet "$work/bin/Emix.Fuzz.dll" "$target" >"$work/afl.log" 2>&1 || {
  echo "afl-fuzz ended with status $? (log: $work/afl.log)"; tail -20 "$work/afl.log"; }
elapsed=$(($(date +%s) - started))

stats="$findings/default/fuzzer_stats"
if [ ! -f "$stats" ]; then
  echo "no fuzzer_stats: afl-fuzz did not start (see $work/afl.log)"; tail -30 "$work/afl.log"; exit 1
fi
value() { awk -F' *: *' -v key="$1" '$1 == key { print $2 }' "$stats"; }
crashes=$(value saved_crashes)
echo "== $target: $(value execs_done) executions in ${elapsed} s ($(value execs_per_sec) per second at the end)," \
  "$(value corpus_count) paths, $crashes crashes, $(value saved_hangs) hangs, stability $(value stability)"

out="$root/fuzz/findings/$target"
if [ "${crashes:-0}" -gt 0 ] || [ -n "$(ls -A "$findings/default/hangs" 2>/dev/null)" ]; then
  mkdir -p "$out"
  cp "$findings"/default/crashes/id:* "$out"/ 2>/dev/null || true
  cp "$findings"/default/hangs/id:* "$out"/ 2>/dev/null || true
  echo "== replaying $(ls "$out" | wc -l) findings copied to $out (uninstrumented build)"
  dotnet build "$root/fuzz/Emix.Fuzz/Emix.Fuzz.csproj" -c Release -o "$work/replay" -v q -nologo >/dev/null
  dotnet "$work/replay/Emix.Fuzz.dll" "$target" "$out"/* 2>/dev/null | grep -v '^ok' || true
fi
