#!/usr/bin/env -S node --jitless --no-expose-wasm --minor-gc-task-trigger=10
// Installed as the `mail-notifier-helper` command. Runs the helper as plain JavaScript
// (dist/helper, built by scripts/build-helper.mjs); in a source checkout it rebuilds that first
// when a source changed since. The flags on the first line are helper/node-flags.json's.
import { existsSync } from 'node:fs';

const builder = new URL('../scripts/build-helper.mjs', import.meta.url);
if (existsSync(builder)) await (await import(builder.href)).buildHelperIfStale();
await import(new URL('../dist/helper/cli.js', import.meta.url).href);
