#!/usr/bin/env bash
# Installs what is missing, builds everything once and runs the whole test suite with ctest.
# Tests start their own PostgreSQL and redis-server in temporary directories on free ports.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$root/build-test"

"$root/scripts/deps.sh" --test
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREVENGE_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j "$(nproc)"

cd "$build"
# Each test executable isolates its own services, so they may run side by side.
ctest --output-on-failure -j "$(nproc)" --timeout 600 "$@"
