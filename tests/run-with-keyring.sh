#!/usr/bin/env bash
# Runs a command against a real system keychain: a private D-Bus session bus with a fresh
# gnome-keyring-daemon (Secret Service) whose "login" collection is created and unlocked
# non-interactively. Tears both daemons down afterwards and exits with the command's code.
#
#   tests/run-with-keyring.sh COMMAND [ARGS...]
#
# Works as root and as a normal user, needs no display, and never touches the caller's own
# keyring or session bus: HOME and the XDG directories point into a temporary directory that is
# removed at the end. Needs dbus-daemon, dbus-send (Debian: dbus-daemon, dbus-bin) and
# gnome-keyring-daemon (gnome-keyring); QtKeychain reaches it through libsecret-1-0.
#
# Environment:
#   REVENGE_KEYRING_TIMEOUT  seconds the command may run before it is killed (default 300)
#   REVENGE_KEYRING_KEEP=1   keep the temporary directory (logs, keyring files) for debugging
set -uo pipefail

if (($# == 0)); then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

log() { echo "run-with-keyring: $*" >&2; }

for tool in dbus-daemon dbus-send gnome-keyring-daemon timeout; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        log "$tool is not installed (Debian: dbus-daemon dbus-bin gnome-keyring coreutils)"
        exit 127
    fi
done

# Unix socket paths are limited to ~108 bytes, so stay under a short base directory.
base=${TMPDIR:-/tmp}
((${#base} > 60)) && base=/tmp
# Directories left by an earlier run that was killed outright (SIGKILL runs no trap).
for old in "$base"/revenge-keyring.*/owner; do
    [[ -O $old ]] || continue
    pid=$(<"$old") || continue
    [[ $pid =~ ^[0-9]+$ ]] && ! kill -0 "$pid" 2>/dev/null && rm -rf "${old%/owner}"
done
tmp=$(mktemp -d "$base/revenge-keyring.XXXXXX") || { log "cannot create a temporary directory"; exit 1; }
chmod 700 "$tmp"
echo $$ >"$tmp/owner"

# The daemons and the command get SIGTERM when this script dies, even by SIGKILL.
guard=()
if setpriv --help 2>/dev/null | grep -q -- --pdeathsig; then
    guard=(setpriv --pdeathsig TERM --)
fi

dbus_pid=
gkd_pid=
child_pid=

stop_pid() {
    local pid=$1 i
    [[ -n $pid ]] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    kill -CONT "$pid" 2>/dev/null # a stopped process would not act on the TERM
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

cleanup() {
    trap - EXIT INT TERM HUP
    [[ -n $child_pid ]] && stop_pid "$child_pid"
    stop_pid "$gkd_pid"
    stop_pid "$dbus_pid"
    if [[ ${REVENGE_KEYRING_KEEP:-} == 1 ]]; then
        log "kept $tmp"
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

fail() {
    log "$*"
    for f in "$tmp/dbus.log" "$tmp/gnome-keyring.log"; do
        [[ -s $f ]] && { log "--- $(basename "$f")"; sed 's/^/  /' "$f" >&2; }
    done
    exit 1
}

mkdir -m 700 "$tmp/home" "$tmp/runtime" "$tmp/data" "$tmp/config" "$tmp/cache"
export HOME=$tmp/home
export XDG_RUNTIME_DIR=$tmp/runtime
export XDG_DATA_HOME=$tmp/data
export XDG_CONFIG_HOME=$tmp/config
export XDG_CACHE_HOME=$tmp/cache
export DBUS_SESSION_BUS_ADDRESS=unix:path=$XDG_RUNTIME_DIR/bus
# Tells tests/tst_keychain that it runs against this throwaway keyring, not the caller's.
export REVENGE_TEST_KEYRING=$tmp
# Nothing from the caller's desktop: QtKeychain would pick KWallet under KDE, and these point at
# the caller's own agents.
unset DBUS_SESSION_BUS_PID DBUS_SESSION_BUS_WINDOWID DBUS_STARTER_ADDRESS DBUS_STARTER_BUS_TYPE \
      GNOME_KEYRING_CONTROL GNOME_KEYRING_PID SSH_AUTH_SOCK DISPLAY WAYLAND_DISPLAY \
      XDG_CURRENT_DESKTOP XDG_SESSION_DESKTOP DESKTOP_SESSION GNOME_DESKTOP_SESSION_ID \
      KDE_FULL_SESSION KDE_SESSION_VERSION

# A session bus that activates nothing: with no service directories, a client can never start a
# second, locked keyring daemon (which would wait for a password prompt) behind our back.
cat >"$tmp/session.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>$DBUS_SESSION_BUS_ADDRESS</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF

bus() { timeout 5 dbus-send --session --print-reply "$@" 2>/dev/null; }

# Polls "$@" every 0.1 s for up to 10 s.
wait_for() {
    local i
    for ((i = 0; i < 100; i++)); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

"${guard[@]}" dbus-daemon --config-file="$tmp/session.conf" --nofork --nopidfile </dev/null >"$tmp/dbus.log" 2>&1 &
dbus_pid=$!
bus_up() { kill -0 "$dbus_pid" 2>/dev/null && bus --dest=org.freedesktop.DBus / org.freedesktop.DBus.GetId >/dev/null; }
wait_for bus_up || fail "the private D-Bus session bus did not come up"

# --unlock reads the login password from stdin; with no login keyring yet, it creates one,
# unlocked, and makes it the default collection -- no prompt, no display.
printf '%s' "revenge-test-$$-$RANDOM" >"$tmp/password"
"${guard[@]}" gnome-keyring-daemon --foreground --unlock --components=secrets <"$tmp/password" >"$tmp/gnome-keyring.log" 2>&1 &
gkd_pid=$!

secrets_owned() {
    kill -0 "$gkd_pid" 2>/dev/null &&
        bus --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets |
        grep -q 'boolean true'
}
wait_for secrets_owned || fail "gnome-keyring-daemon did not take org.freedesktop.secrets"
rm -f "$tmp/password"

default_collection=
default_unlocked() {
    default_collection=$(bus --dest=org.freedesktop.secrets /org/freedesktop/secrets \
        org.freedesktop.Secret.Service.ReadAlias string:default | sed -n 's/.*object path "\(.*\)".*/\1/p')
    [[ -n $default_collection && $default_collection != / ]] || return 1
    bus --dest=org.freedesktop.secrets "$default_collection" org.freedesktop.DBus.Properties.Get \
        string:org.freedesktop.Secret.Collection string:Locked | grep -q 'boolean false'
}
wait_for default_unlocked || fail "the keyring has no unlocked default collection (got '${default_collection}')"

# Run the command in the background so that a signal to this script reaches the trap at once.
"${guard[@]}" timeout -k 10 "${REVENGE_KEYRING_TIMEOUT:-300}" "$@" &
child_pid=$!
wait "$child_pid"
rc=$?
child_pid=
((rc == 124)) && log "the command ran past ${REVENGE_KEYRING_TIMEOUT:-300} s and was stopped"
exit "$rc"
