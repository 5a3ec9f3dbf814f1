#!/usr/bin/env bash
# Runs a command (the keychain tests) against a throwaway Secret Service: gnome-keyring in a D-Bus
# session of its own, with HOME and the XDG folders in a temp dir, so the developer's own keyrings
# and session bus are never touched; its login keyring is created and unlocked with a test password.
#   bash scripts/with-test-keyring.sh npx vitest run -c vitest.keychain.config.ts
set -euo pipefail

fail() {
  echo "with-test-keyring: $1" >&2
  echo "with-test-keyring: the keychain tests need dbus-run-session and gnome-keyring-daemon:" >&2
  echo "  sudo apt-get install -y dbus-daemon gnome-keyring   (scripts/ensure-system-packages.sh does it)" >&2
  exit 1
}

if [ -z "${MN_TEST_KEYRING_INSIDE:-}" ]; then
  command -v dbus-run-session >/dev/null 2>&1 || fail "dbus-run-session is not installed."
  command -v gnome-keyring-daemon >/dev/null 2>&1 || fail "gnome-keyring-daemon is not installed."
  scratch="$(mktemp -d "${TMPDIR:-/tmp}/mn-keyring-XXXXXX")"
  trap 'rm -rf "$scratch"' EXIT
  mkdir -p "$scratch/data" "$scratch/config" "$scratch/cache" "$scratch/run"
  chmod 700 "$scratch/run"
  status=0
  env HOME="$scratch" XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" XDG_CACHE_HOME="$scratch/cache" \
    XDG_RUNTIME_DIR="$scratch/run" npm_config_cache="${npm_config_cache:-$HOME/.npm}" MN_TEST_KEYRING_INSIDE=1 \
    dbus-run-session -- bash "$0" "$@" || status=$?
  exit "$status"
fi

# Inside the throwaway session: start the keyring's Secret Service, unlocked with a test password.
# In the foreground, as this shell's child, so it is stopped and reaped here (a daemonized one
# would be left to an init that, in a container, may never reap it).
[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || fail "dbus-run-session did not start a session bus."
printf '%s' 'mail-notifier-test-keyring' | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null &
keyring=$!
trap 'kill "$keyring" 2>/dev/null; wait "$keyring" 2>/dev/null' EXIT
# Ready once it owns the Secret Service's bus name (dbus-send comes with dbus-daemon).
secrets_up() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'
}
for _ in $(seq 1 100); do
  secrets_up && break
  kill -0 "$keyring" 2>/dev/null || fail "gnome-keyring-daemon did not start."
  sleep 0.1
done
secrets_up || fail "gnome-keyring-daemon did not answer on the session bus within 10 s."
# The keychain tests refuse to run without this: it says the keychain they write to is this throwaway one.
export MAIL_NOTIFIER_TEST_KEYRING="$DBUS_SESSION_BUS_ADDRESS"
status=0
"$@" || status=$?
exit "$status"
