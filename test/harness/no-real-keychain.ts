/**
 * Test setup: no test may write a test password into the developer's own keychain. Unless the
 * run is inside the throwaway Secret Service of scripts/with-test-keyring.sh (which sets
 * MAIL_NOTIFIER_TEST_KEYRING to its bus), the session bus is pointed at an address where nothing
 * listens: the keychain then fails for this process and every helper it starts, which use the
 * 0600 file instead. (The bus address also covers libdbus's fallback to $XDG_RUNTIME_DIR/bus.)
 */
const throwaway = process.env.MAIL_NOTIFIER_TEST_KEYRING;
if (!throwaway || throwaway !== process.env.DBUS_SESSION_BUS_ADDRESS) {
  process.env.DBUS_SESSION_BUS_ADDRESS = 'unix:path=/nonexistent/mail-notifier-tests-use-no-keychain';
  delete process.env.MAIL_NOTIFIER_TEST_KEYRING;
}
