#!/usr/bin/env bash
# Installs the Debian packages Revenge needs to build and run; with --test, also what the
# test suite needs.
# Idempotent: only calls apt-get when something is missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates curl
  qt6-base-dev qt6-base-dev-tools libqt6sql6-psql qt6-httpserver-dev qt6-websockets-dev
  qt6-declarative-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
  qml6-module-qtquick-window qml6-module-qtquick-templates qml6-module-qtqml-workerscript
  qml6-module-qt-labs-platform qml6-module-qtqml qml6-module-qtqml-models qt6-qpa-plugins
  qt6-image-formats-plugins
  libyaml-cpp-dev libhiredis-dev qtkeychain-qt6-dev libargon2-dev libsodium-dev
  libavformat-dev libavcodec-dev libavutil-dev
  postgresql-15 postgresql-client-15 libpq-dev libssl-dev redis-server redis-tools
  procps
)

# Only the test suite needs these: a throwaway keyring for the real-keychain test.
TEST_PACKAGES=(gnome-keyring libsecret-1-0 dbus-daemon dbus-bin)
if [[ "${1:-}" == "--test" ]]; then
  PACKAGES+=("${TEST_PACKAGES[@]}")
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}" >&2
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's postgresql package starts a system cluster; Revenge never uses it.
# Managed/test clusters are private, so leave it alone but do not depend on it.
