#!/usr/bin/env bash
# Cache benchmark: session validation p50/p99 with the cache up and stopped, redis-benchmark's
# GET p50 (one client) against the same server as the floor, cached lookup throughput.
# Usage (through scripts/bench.sh cache): [--validations N] [--down-validations N]
#                                         [--threads N] [--seconds S]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if ! command -v redis-benchmark >/dev/null; then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get install -y -qq redis-tools >/dev/null
fi
exec "$root/build/bench/bench_cache" "$@"
