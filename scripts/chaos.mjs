#!/usr/bin/env node
// `npm run chaos`: the full fault and abuse scenarios (test/chaos), written to docs/RELIABILITY.md.
// `-- --short` runs the short versions (as in the test suite), `-- --only=NAME,…` a few of them.
import { register } from 'tsx/esm/api';

register();
// As in the test suite: the helpers the scenarios start never touch the developer's own keychain.
await import('../test/harness/no-real-keychain.ts');
const { runChaos } = await import('../test/chaos/run-chaos.ts');
process.exitCode = await runChaos(process.argv.slice(2));
