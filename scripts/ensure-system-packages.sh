#!/usr/bin/env bash
# Makes sure the system programs the test harness needs are installed:
#   dovecot + doveadm   (Debian package dovecot-imapd) - the real IMAP server the tests run against
#   /usr/bin/chromium   (Debian package chromium)      - the browser the E2E tests drive
#   /usr/bin/firefox-esr (Debian package firefox-esr)  - the second browser the journey tests drive
#   dbus-run-session    (Debian package dbus-daemon)   - a throwaway D-Bus session for the keychain tests
#   gnome-keyring-daemon (Debian package gnome-keyring) - the real Secret Service the keychain tests use
# Quiet and a no-op when everything is present; installs with apt-get otherwise.
set -euo pipefail

PACKAGES=(dovecot-imapd chromium firefox-esr dbus-daemon gnome-keyring)

# dovecot lives in /usr/sbin, which a non-root PATH may lack.
has_program() {
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]
}

missing_items() {
  local missing=()
  has_program dovecot || missing+=("dovecot")
  has_program doveadm || missing+=("doveadm")
  [ -x /usr/bin/chromium ] || missing+=("/usr/bin/chromium")
  [ -x /usr/bin/firefox-esr ] || missing+=("/usr/bin/firefox-esr")
  has_program dbus-run-session || missing+=("dbus-run-session")
  has_program gnome-keyring-daemon || missing+=("gnome-keyring-daemon")
  echo "${missing[@]:-}"
}

fail() {
  echo "ensure-system-packages: $1" >&2
  echo "ensure-system-packages: install them yourself with:" >&2
  echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y ${PACKAGES[*]}" >&2
  exit 1
}

missing="$(missing_items)"
[ -z "$missing" ] && exit 0

[ "$(id -u)" -eq 0 ] || fail "missing: $missing, and installing needs root (running as $(id -un))."
command -v apt-get >/dev/null 2>&1 || fail "missing: $missing, and apt-get is not available (not a Debian/Ubuntu system?)."
echo "ensure-system-packages: missing: $missing; installing ${PACKAGES[*]}" >&2

apt-get update || fail "missing: $missing, and 'apt-get update' failed (see the output above)."
DEBIAN_FRONTEND=noninteractive apt-get install -y "${PACKAGES[@]}" \
  || fail "missing: $missing, and 'apt-get install ${PACKAGES[*]}' failed (see the output above)."

missing="$(missing_items)"
[ -z "$missing" ] || fail "still missing after installing: $missing."
echo "ensure-system-packages: installed ${PACKAGES[*]}" >&2
