import { defineConfig } from 'vitest/config';

/** `bash scripts/with-test-keyring.sh npx vitest run -c vitest.keychain.config.ts`: a real Secret Service (gnome-keyring). */
export default defineConfig({
  test: {
    include: ['test/**/*.keychain.test.ts'],
    setupFiles: ['test/harness/no-real-keychain.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
