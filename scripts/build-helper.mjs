// Builds the helper into plain JavaScript (dist/helper), which is what `helper/bin.mjs` runs.
// Why a bundle rather than the TypeScript sources through tsx: tsx keeps a loader thread (a second
// V8 isolate) alive for the life of the process, and one bundle, minified and tree-shaken, holds
// far less source text in memory than the node_modules files it replaces (valibot alone ships
// 400 KiB of which the helper uses 16). `npm run bench` (idle) shows the difference.
//
//   node scripts/build-helper.mjs          build now
//   import { buildHelperIfStale }          what bin.mjs calls in a source checkout
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const HELPER_DIST = join(root, 'dist', 'helper');
const ENTRY = join(HELPER_DIST, 'cli.js');
/** Our own files the bundle was made from, recorded so a start can tell the bundle is out of date. */
const INPUTS = join(HELPER_DIST, 'inputs.json');

/**
 * Left as separate packages: the keychain binding is native code; iconv-lite loads each charset's
 * table only when a message uses it (bundled, every table would sit in memory); encoding-japanese
 * is required on first use (below); hoodiecrow-imap, the demo's server, reads its certificate
 * files relative to its own folder (and is loaded only for the demo, so it costs a helper with
 * real accounts nothing).
 */
export const HELPER_EXTERNAL = ['@napi-rs/keyring', 'iconv-lite', 'encoding-japanese', 'hoodiecrow-imap'];

/**
 * imapflow features the helper never uses, left out of the bundle: SOCKS proxies (socks, with
 * ip-address and smart-buffer) and download() (mailsplit, with a second, CommonJS copy of libmime).
 * Together they are ~200 KiB of source a running helper would hold in memory. The stand-ins throw
 * if ever reached, and a name imapflow starts importing from them fails this build.
 */
const LEFT_OUT = /^(socks|@zone-eu\/mailsplit)(\/.*)?$/;
const STAND_IN = `class LeftOut {
  constructor() { throw new Error('imapflow proxy and download support are not part of the helper build'); }
  static createConnection() { return new LeftOut(); }
}
export { LeftOut as SocksClient, LeftOut as Headers, LeftOut as default };`;
const leaveOutUnused = {
  name: 'leave-out-unused',
  setup(build) {
    build.onResolve({ filter: LEFT_OUT }, (args) => ({ path: args.path, namespace: 'left-out' }));
    build.onLoad({ filter: /.*/, namespace: 'left-out' }, () => ({ contents: STAND_IN, loader: 'js' }));
  },
};

/**
 * libmime and imapflow import encoding-japanese for Japanese charsets (libmime for ISO-2022-JP and
 * JIS, which iconv-lite lacks); the package builds its conversion tables when imported, and bundled
 * it would hold ~90 KiB of source in memory too, in every helper, for mail almost no mailbox gets.
 * Both only ever call its `convert`, so they get a stand-in whose `convert` requires the package
 * (left outside the bundle, HELPER_EXTERNAL) on the first call.
 */
const LOADED_ON_FIRST_USE = `export default { convert: (...args) => require('encoding-japanese').convert(...args) };`;
const loadJapaneseOnFirstUse = {
  name: 'load-japanese-on-first-use',
  setup(build) {
    build.onResolve({ filter: /^encoding-japanese$/ }, (args) =>
      /[\\/](libmime|imapflow)[\\/]/.test(args.importer) ? { path: args.path, namespace: 'first-use' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'first-use' }, () => ({ contents: LOADED_ON_FIRST_USE, loader: 'js', resolveDir: root }));
  },
};

export async function buildHelper() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['helper/cli.ts'],
    outdir: HELPER_DIST,
    bundle: true,
    // The demo mailbox is a chunk of its own, loaded only when the demo runs.
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: HELPER_EXTERNAL,
    // Names are kept so error names and the rare stack trace in a log still read.
    minify: true,
    keepNames: true,
    legalComments: 'none',
    // Bundled CommonJS packages call require(); an ES module has none of its own.
    banner: { js: "import { createRequire as __helperRequire } from 'node:module'; const require = __helperRequire(import.meta.url);" },
    plugins: [leaveOutUnused, loadJapaneseOnFirstUse],
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  // The build service is a child process; a helper that rebuilt itself must not keep it.
  await esbuild.stop();
  mkdirSync(HELPER_DIST, { recursive: true });
  // Each file is replaced whole (write, then rename), so a helper starting meanwhile reads either
  // the old or the new file, never half of one. Chunk names carry a content hash.
  const written = new Set();
  const replace = (path, contents) => {
    const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temporary, contents);
    renameSync(temporary, path);
    written.add(path);
  };
  for (const file of result.outputFiles) replace(file.path, file.contents);
  const sources = Object.keys(result.metafile.inputs).filter((path) => !/^(node_modules\/|left-out:|first-use:)/.test(path));
  const inputs = [...sources, relative(root, fileURLToPath(import.meta.url)), 'package.json'];
  replace(INPUTS, `${JSON.stringify(inputs, null, 1)}\n`);
  for (const name of readdirSync(HELPER_DIST)) {
    const path = join(HELPER_DIST, name);
    if (!written.has(path) && !name.endsWith('.tmp')) rmSync(path, { force: true });
  }
}

/** True when there is no bundle or one of the files it was built from changed since. */
export function helperBuildIsStale() {
  let builtAt;
  let inputs;
  try {
    builtAt = statSync(ENTRY).mtimeMs;
    inputs = JSON.parse(readFileSync(INPUTS, 'utf8'));
  } catch {
    return true;
  }
  return inputs.some((path) => {
    try {
      return statSync(join(root, path)).mtimeMs > builtAt;
    } catch {
      return true; // a source was removed or renamed: the bundle no longer matches
    }
  });
}

/** Rebuilds when stale. A source checkout only: an installed helper ships its bundle. */
export async function buildHelperIfStale() {
  if (helperBuildIsStale()) await buildHelper();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildHelper();
}
