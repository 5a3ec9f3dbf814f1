#!/usr/bin/env node
// `npm run chaos`: the full fault and abuse scenarios (test/chaos), written to docs/RELIABILITY.md.
// `-- --short` runs the short versions (as in the test suite), `-- --only=NAME,…` a few of them.
import { register } from 'tsx/esm/api';

register();
const { runChaos } = await import('../test/chaos/run-chaos.ts');
process.exitCode = await runChaos(process.argv.slice(2));
