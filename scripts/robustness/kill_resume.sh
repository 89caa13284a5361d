#!/usr/bin/env bash
# Kills a small training run with SIGKILL at random moments, resumes it each time with
# `kiln train --resume --name …` alone (plus --threads and --checkpoint-every), and checks that
# the finished run matches an uninterrupted one: the metrics log record for record (the
# wall-clock field "seconds" removed) and the checkpoint byte for byte, with no temporary
# file left behind.
#
#   scripts/robustness/kill_resume.sh            # uses .build/debug/kiln
#   KILN=.build/release/kiln KILLS=10 SEED=3 scripts/robustness/kill_resume.sh
set -euo pipefail

KILN=${KILN:-.build/debug/kiln}
KILLS=${KILLS:-12}           # how many times the run is killed
RANDOM=${SEED:-1}            # the kill moments are drawn from this seed
EPOCHS=${EPOCHS:-6}
ROWS=${ROWS:-600}
[ -x "$KILN" ] || { echo "no kiln executable at $KILN (swift build --product kiln)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
runs="$work/runs"

# Three classes of four noisy features; the last 20% of rows are the test set.
awk -v rows="$ROWS" 'BEGIN { srand(7); print "a,b,c,d,label"
  for (i = 0; i < rows; i++) { k = i % 3
    printf "%.4f,%.4f,%.4f,%.4f,%d\n", k + rand(), 2 * k - 2 * rand(), rand(), k * rand() - rand(), k } }' > "$work/data.csv"
cat > "$work/settings.yaml" <<YAML
model: mlp
epochs: $EPOCHS
batch_size: 16
lr: 0.002
schedule: cosine
augment: none
test_time_flip: false
data:
  path: $work/data.csv
  label_column: label
YAML

# Checkpoints every 7 steps, so most fall inside a 10-step log interval.
common=(--out "$runs" --threads 1 --checkpoint-every 7)

start=$(date +%s%N)
"$KILN" train --config "$work/settings.yaml" --name straight "${common[@]}" > /dev/null 2> "$work/straight.err"
run_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "uninterrupted run: $run_ms ms"

# A random pause of up to 3/KILLS of the uninterrupted run, so that the kills spread over the
# whole run whatever the machine's speed.
pause() { awk -v r="$RANDOM" -v ms="$run_ms" -v kills="$KILLS" 'BEGIN { printf "%.3f", (r % 1000) / 1000 * 3 * ms / kills / 1000 }'; }

# Runs kiln in the background and kills it with SIGKILL (if still running) at a random moment:
# one time in four while it starts up, otherwise a random pause after `ready` (a command) holds.
# Prints "killed" or "finished <exit code>".
run_and_kill() {
    local ready=$1; shift
    "$@" > /dev/null 2>> "$work/killed.err" &
    local pid=$!
    if [ $((RANDOM % 4)) -eq 0 ]; then
        sleep "0.$((RANDOM % 10))"
    else
        until $ready || ! kill -0 "$pid" 2> /dev/null; do sleep 0.01; done
        sleep "$(pause)"
    fi
    if kill -9 "$pid" 2> /dev/null; then
        wait "$pid" 2> /dev/null || true
        echo killed
    else
        local code=0
        wait "$pid" || code=$?
        echo "finished $code"
    fi
}

killed_dir="$runs/killed"
has_checkpoint() { [ -e "$killed_dir/checkpoint.safetensors" ]; }
resumes_seen=0
has_resumed() { [ "$(grep -c "^resuming" "$work/killed.err" || true)" -gt "$resumes_seen" ]; }

# The first start is killed only once it has written a checkpoint, so that there is something to resume.
kills=0
until [ "$kills" -gt 0 ]; do
    rm -rf "$killed_dir"
    outcome=$(run_and_kill has_checkpoint "$KILN" train --config "$work/settings.yaml" --name killed "${common[@]}")
    if [ "$outcome" = killed ] && has_checkpoint; then kills=1; fi
    [ "$outcome" = killed ] || { echo "FAIL: the first start ended by itself ($outcome)"; exit 1; }
done
while [ "$kills" -lt "$KILLS" ]; do
    resumes_seen=$(grep -c "^resuming" "$work/killed.err" || true)
    outcome=$(run_and_kill has_resumed "$KILN" train --resume --name killed "${common[@]}")
    [ "$outcome" = killed ] || break
    kills=$((kills + 1))
    echo "kill $kills: metrics log at $(grep -c . "$killed_dir/metrics.jsonl" || true) lines," \
         "$(ls -A "$killed_dir" | grep -c '\.tmp$' || true) temporary file(s) in the run folder"
done
if [ "$outcome" = killed ]; then
    "$KILN" train --resume --name killed "${common[@]}" > /dev/null 2>> "$work/killed.err"
elif [ "$outcome" != "finished 0" ]; then
    echo "FAIL: a resume ended with $outcome:"; tail -3 "$work/killed.err"; exit 1
fi
echo "killed $kills times; the resumes said:"
grep -E "^(resuming|removed|kiln:)" "$work/killed.err" | sed 's/^/  /' || true

status=0
without_clock() { sed -E 's/"seconds":[^,}]*,?//' "$1"; }
if cmp -s <(without_clock "$runs/straight/metrics.jsonl") <(without_clock "$killed_dir/metrics.jsonl"); then
    echo "metrics log: $(wc -l < "$killed_dir/metrics.jsonl") records, equal to the uninterrupted run's (seconds removed)"
else
    echo "FAIL: metrics logs differ"; diff <(without_clock "$runs/straight/metrics.jsonl") <(without_clock "$killed_dir/metrics.jsonl") | head -10
    status=1
fi
if cmp -s "$runs/straight/checkpoint.safetensors" "$killed_dir/checkpoint.safetensors"; then
    echo "checkpoint: byte-identical to the uninterrupted run's ($(wc -c < "$killed_dir/checkpoint.safetensors") bytes)"
else
    echo "FAIL: checkpoints differ"; status=1
fi
leftovers=$(ls -A "$killed_dir" | grep '\.tmp$' || true)
if [ -z "$leftovers" ]; then echo "temporary files left: none"; else echo "FAIL: temporary files left: $leftovers"; status=1; fi
[ "$status" = 0 ] && echo "PASS" || echo "FAIL"
exit "$status"
