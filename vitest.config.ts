import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx', 'helper/**/*.test.ts', 'protocol/**/*.test.ts', 'components/**/*.test.tsx'],
    // The keychain tests run in a throwaway Secret Service of their own (vitest.keychain.config.ts).
    exclude: ['node_modules/**', '**/*.keychain.test.ts'],
    // Keeps every test and the helpers they start away from the developer's own keychain.
    setupFiles: ['test/harness/no-real-keychain.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most files wait on servers, browsers and real time (a 60 s ping check, two 100 s journeys), not
    // on the CPU: three at once keep the whole suite near 6 minutes on a 2-core machine (one at a
    // time, as vitest's default for 2 cores, took 11).
    maxWorkers: 3,
  },
});
