#!/usr/bin/env bash
# The whole test suite, from a fresh clone: system packages (Dovecot, Chromium, Firefox, a Secret
# Service), npm packages, type check, unit + integration tests (real Dovecot), extension builds and
# lint, the end-to-end tests and user journeys in real Chromium and Firefox, and the keychain tests.
# `.ci/run` calls exactly this (as `npm test`).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$1"; }

step "system packages (dovecot-imapd, chromium, firefox-esr, dbus-daemon, gnome-keyring)"
bash scripts/ensure-system-packages.sh

step "npm packages (npm ci, then a check that npm install would not change the lock)"
npm ci --no-audit --no-fund
# The lock holds every platform's optional packages (rollup's), so a fresh `npm install` leaves it as it is.
npm install --package-lock-only --ignore-scripts --no-audit --no-fund >/dev/null
git diff --exit-code --stat -- package-lock.json \
  || { echo "npm install changes package-lock.json: run it, check the change and commit the lock" >&2; exit 1; }

step "type check"
npx tsc --noEmit -p .

step "helper build (the JavaScript bin.mjs runs; built here so parallel tests never rebuild it)"
node scripts/build-helper.mjs

step "extension builds (chrome, firefox, safari) and web-ext lint"
npx wxt build >/dev/null
npx wxt build -b firefox >/dev/null
npx wxt build -b safari >/dev/null
npx web-ext lint --source-dir .output/firefox-mv2 --self-hosted --no-config-discovery

step "unit, integration (real Dovecot) and end-to-end (real Chromium) tests"
rm -rf test-artifacts/logs test-artifacts/secrets.txt
mkdir -p test-artifacts
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json 2>&1 \
  | tee test-artifacts/vitest-output.log || status=$?  # pipefail: vitest's failure counts

step "keychain tests (a real Secret Service: gnome-keyring in a throwaway dbus-run-session)"
bash scripts/with-test-keyring.sh npx vitest run -c vitest.keychain.config.ts --reporter=default 2>&1 \
  | tee test-artifacts/vitest-keychain-output.log || status=1

step "no test password, token or pairing code in any log"
node scripts/check-test-logs.mjs || status=1

node scripts/test-summary.mjs test-artifacts/vitest.json
exit "$status"
