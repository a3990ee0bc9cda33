#!/usr/bin/env bash
# Job queue benchmark against graphile-worker 0.18 on the same PostgreSQL server, same run.
# Usage (through scripts/bench.sh jobs): [--jobs N] [--latency-jobs N] [--workers N] [--no-peer]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
peer="$root/bench/graphile"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
if [[ ! -d "$peer/node_modules/graphile-worker" ]]; then
  (cd "$peer" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi
exec "$root/build/bench/bench_jobs" --peer-dir "$peer" "$@"
