# Sourced by the compare_*.sh scripts. `recorded_run KEY VALUE FILE COMMAND...` runs COMMAND and
# appends each JSON object it prints (a line starting with `{`; other lines are dropped) to FILE with
# "KEY": VALUE and "load", the 1-minute load average just before the run, so a figure taken on a busy
# machine shows as one.
# Needs $python (any Python 3) for a portable load average.
recorded_run() {
  local key=$1 value=$2 file=$3 load; shift 3
  load=$("$python" -c 'import os; print(os.getloadavg()[0])')
  "$@" | sed -n "s/^{ */{\"$key\": $value, \"load\": $load, /p" >> "$file"
}
