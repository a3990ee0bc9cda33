#!/usr/bin/env bash
# Installs what is missing, builds Revenge (Release) into build/ and runs it:
#   scripts/run.sh [--headless] [revenge arguments...]
# With a display the tray icon and dashboard come up; without one it runs headless.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

"$root/scripts/deps.sh"
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DREVENGE_BUILD_TESTS=OFF -DREVENGE_BUILD_BENCH=OFF >/dev/null
cmake --build "$root/build" --target revenge

args=("$@")
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  case " ${args[*]-} " in *" --headless "*) ;; *) args=(--headless "${args[@]}") ;; esac
fi
exec "$root/build/app/revenge" "${args[@]}"
