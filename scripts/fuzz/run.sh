#!/usr/bin/env bash
# Builds the fuzz targets with libFuzzer and AddressSanitizer, then fuzzes one or all of them.
#
#   scripts/fuzz/run.sh TARGET SECONDS        fuzz TARGET for SECONDS seconds
#   scripts/fuzz/run.sh TARGET runs=N         fuzz TARGET for N executions
#   scripts/fuzz/run.sh all SECONDS|runs=N    every target in turn, one at a time
#   ... [-- LIBFUZZER_FLAGS...]               extra flags for libFuzzer
#
# Targets: safetensors npy npz idx gzip csv settings lmsettings runlog schedule tokenizer quantized.
# Everything a run writes stays in Fuzz/Findings/TARGET/: the inputs it found (corpus/), crash,
# timeout and leak inputs (crash-*, timeout-*, leak-*, oom-*) and the log (log.txt). The committed
# seeds in Fuzz/Corpus/TARGET are read, never written. A crash stops the run with a non-zero exit;
# replay an input with `Fuzz/.build/release/fuzz-TARGET FILE`.
set -euo pipefail

targets=(safetensors npy npz idx gzip csv settings lmsettings runlog schedule tokenizer quantized)
usage() { echo "usage: $0 TARGET|all SECONDS|runs=N [-- LIBFUZZER_FLAGS...]" >&2; exit 2; }

[ $# -ge 2 ] || usage
target=$1 budget=$2
shift 2
[ "${1:-}" = "--" ] && shift
case $budget in
  runs=[0-9]*) limit=(-runs="${budget#runs=}") ;;
  [0-9]*) limit=(-max_total_time="$budget") ;;
  *) usage ;;
esac
if [ "$target" = all ]; then
  selected=("${targets[@]}")
elif [[ " ${targets[*]} " == *" $target "* ]]; then
  selected=("$target")
else
  echo "unknown target '$target'; one of: ${targets[*]} all" >&2; exit 2
fi

root=$(cd "$(dirname "$0")/../.." && pwd)
fuzz=$root/Fuzz
swift build -c release -j 1 --package-path "$fuzz" \
  -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address

for t in "${selected[@]}"; do
  out=$fuzz/Findings/$t
  mkdir -p "$out/corpus"
  flags=(-rss_limit_mb=2048 -timeout=10 -artifact_prefix="$out/" "${limit[@]}")
  [ -f "$fuzz/Dictionaries/$t.dict" ] && flags+=(-dict="$fuzz/Dictionaries/$t.dict")
  echo "== $t: ${flags[*]} $*"
  start=$(date +%s)
  # Run inside the findings folder, so that nothing a target might write lands elsewhere. Swift's
  # own crash handler is off: libFuzzer reports a trap with its stack and saves the input.
  status=0
  (cd "$out" && SWIFT_BACKTRACE=enable=no "$fuzz/.build/release/fuzz-$t" "${flags[@]}" "$@" corpus "$fuzz/Corpus/$t") \
    >"$out/log.txt" 2>&1 || status=$?
  grep -E '^(#[0-9]+.*(INITED|DONE)|Done|==[0-9]+==|SUMMARY|artifact_prefix)' "$out/log.txt" || true
  seconds=$(( $(date +%s) - start ))
  runs=$(grep -oE '^Done [0-9]+ runs' "$out/log.txt" | grep -oE '[0-9]+' || true)
  [ -n "$runs" ] || runs=$(grep -oE '^#[0-9]+' "$out/log.txt" | tail -1 | tr -d '#' || true)
  echo "== $t: ${runs:-?} executions in $seconds s ($(( ${runs:-0} / (seconds > 0 ? seconds : 1) )) exec/s), exit $status"
  [ "$status" = 0 ] || exit "$status"
done
