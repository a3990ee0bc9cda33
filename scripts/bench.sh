#!/usr/bin/env bash
# Runs one benchmark by name: scripts/bench.sh NAME [args...]
# Installs what is missing, builds Revenge (Release) into build/, then runs bench/NAME.sh or the
# bench_NAME program. Figures go to stdout; the last line is one JSON object.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
name=${1:-}
if [[ -z "$name" ]]; then
  echo "usage: scripts/bench.sh NAME   (available: $(cd "$root/bench" && ls *.sh 2>/dev/null | sed 's/\.sh$//' | tr '\n' ' '))" >&2
  exit 2
fi
shift

"$root/scripts/deps.sh"
apt_need=()
for p in curl bc; do command -v "$p" >/dev/null || apt_need+=("$p"); done
if ((${#apt_need[@]})); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get install -y -qq "${apt_need[@]}" >/dev/null
fi
# BENCH=ON explicitly: scripts/run.sh configures the same build/ with the benchmarks off.
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DREVENGE_BUILD_TESTS=OFF \
  -DREVENGE_BUILD_BENCH=ON >/dev/null
cmake --build "$root/build" >&2

export REVENGE_BINARY="$root/build/app/revenge"
if [[ -x "$root/bench/$name.sh" ]]; then
  exec "$root/bench/$name.sh" "$@"
elif [[ -x "$root/build/bench/bench_$name" ]]; then
  exec "$root/build/bench/bench_$name" "$@"
fi
echo "bench.sh: no benchmark named '$name'" >&2
exit 2
