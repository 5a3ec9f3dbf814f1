/**
 * The single executable's main script (scripts/build-sea.mjs builds it): what `node <flags>
 * helper/bin.mjs` is to the npm package.
 *
 * Node 20 has no way to give an executable node flags, so the helper's (node-flags.json) are set
 * here, before any of the helper's code is loaded: V8 reads them when it next compiles or collects.
 * `--no-expose-wasm` acts only when the global object is made, long before this; removing the
 * global does what it would have done.
 *
 * Then the helper's files (its build, package.json and the packages kept outside the build, one of
 * them native code, which Node loads only from a file) are unpacked once per build into the user's
 * cache and loaded from there, exactly as the npm package loads them.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { getRawAsset } from 'node:sea';
import { setFlagsFromString } from 'node:v8';
import HELPER_NODE_FLAGS from '../node-flags.json';
import { unpackRoot } from '../store/paths';
import { unpackOnce } from './unpack';

/** A hash of the packed files, put in by the build: a new build unpacks into a folder of its own. */
declare const SEA_BUILD_ID: string;
/** The asset's key and the CommonJS file in it that imports the helper (an ES module). */
declare const SEA_ASSET: string;
declare const SEA_START: string;

for (const flag of HELPER_NODE_FLAGS) setFlagsFromString(flag);
delete (globalThis as { WebAssembly?: unknown }).WebAssembly;

const dir = join(unpackRoot(), SEA_BUILD_ID);
try {
  // The raw asset, not a copy: it is only read (and only on a build's first start).
  unpackOnce(() => new Uint8Array(getRawAsset(SEA_ASSET) as ArrayBuffer), dir);
} catch (err) {
  console.error(`The helper could not unpack its files into ${dir}: ${(err as Error).message}\nFree some disk space there (or set MAIL_NOTIFIER_HOME to a folder you can write to) and start it again.`);
  process.exit(1);
}
createRequire(join(dir, SEA_START))(`./${SEA_START}`);
