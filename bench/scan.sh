#!/usr/bin/env bash
# Library scan benchmark: a generated tree of 100,000 media files (sparse, real-world names)
# scanned into a private PostgreSQL, rescanned unchanged, and walked by find in the same run.
# Prints the initial scan's files/s, the rescan against find, peak memory and its growth with
# the library; the last line is one JSON object.
# Usage (through scripts/bench.sh scan): [--files N] [--root DIR] [--seed S] [--rescans N]
#                                        [--libraries mixed|split] [--no-growth]
# REVENGE_BUILD_DIR picks another (Release) build directory than build/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${REVENGE_BUILD_DIR:-$root/build}

if ! command -v find >/dev/null; then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get install -y -qq findutils >/dev/null
fi
# scripts/bench.sh has configured and built $build (Release, benchmarks on); another build
# directory is built here.
if [[ "$build" != "$root/build" ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DREVENGE_BUILD_BENCH=ON >/dev/null
  cmake --build "$build" --target bench_scan >&2
fi
exec "$build/bench/bench_scan" "$@"
