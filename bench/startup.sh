#!/usr/bin/env bash
# Start-up time of the embedded default, from process start to /health/ready = 200:
#  - first start on a fresh data directory (initdb, role and database creation, migrations)
#  - warm starts on the same data directory (median of several)
# and the idle resident memory of the revenge process (and of its managed services).
# Last line: {"first_start_s", "warm_start_s", "idle_rss_mb", ...}
set -euo pipefail
bin=${REVENGE_BINARY:?set REVENGE_BINARY (scripts/bench.sh sets it)}
runs=${WARM_RUNS:-5}
work=$(mktemp -d /tmp/revenge-bench-startup-XXXXXX)
chmod 755 "$work"
trap 'pkill -TERM -f -- "--data-dir $work/data" 2>/dev/null || true; sleep 1; rm -rf "$work"' EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18977)
now() { date +%s%N; }

# Starts revenge and waits for readiness; sets $pid and $elapsed (seconds).
start_and_time() {
  local t0 t1
  t0=$(now)
  REVENGE_KEYCHAIN=off "$bin" --headless --data-dir "$work/data" --port "$port" >>"$work/revenge.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 6000); do
    if [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready") == 200 ]]; then
      t1=$(now)
      elapsed=$(printf '%.3f' "$(echo "scale=3; ($t1 - $t0) / 1000000000" | bc)")
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { echo "revenge exited; log:" >&2; tail -20 "$work/revenge.log" >&2; exit 1; }
    sleep 0.02
  done
  echo "not ready after 120 s" >&2
  exit 1
}

stop() {
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
}

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

start_and_time
first=$elapsed
echo "first start (fresh data dir, initdb + migrations): ${first} s"
curl -s "http://127.0.0.1:$port/health" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("  health:", d["status"], {k: v["status"] for k, v in d["components"].items()})' || true
stop

warm=()
for i in $(seq 1 "$runs"); do
  start_and_time
  warm+=("$elapsed")
  echo "warm start $i: ${elapsed} s"
  if [[ $i -lt $runs ]]; then stop; fi
done
median=$(printf '%s\n' "${warm[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')

# Idle: let start-up work settle, then read resident memory.
sleep 5
self_kb=$(rss_kb "$pid")
children_kb=0
for c in $(pgrep -P "$pid" || true); do
  children_kb=$((children_kb + $(rss_kb "$c")))
  for g in $(pgrep -P "$c" || true); do children_kb=$((children_kb + $(rss_kb "$g"))); done
done
stop

idle=$(printf '%.1f' "$(echo "scale=2; $self_kb / 1024" | bc)")
services=$(printf '%.1f' "$(echo "scale=2; $children_kb / 1024" | bc)")
echo "warm start median of $runs: ${median} s"
echo "idle RSS: revenge ${idle} MB; managed PostgreSQL + cache ${services} MB"
echo "targets: first start < 15 s, warm start < 3 s"
printf '{"first_start_s": %s, "warm_start_s": %s, "idle_rss_mb": %s, "services_rss_mb": %s, "warm_runs": %s}\n' \
  "$first" "$median" "$idle" "$services" "$runs"
