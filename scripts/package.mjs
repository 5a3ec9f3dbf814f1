// `npm run package`: the release files, in .output/ and named with the package.json version:
// the extension zipped for Chrome, Firefox (with the sources zip addons.mozilla.org asks for) and
// Safari, the helper as an npm tarball holding only what it runs, and the helper as one
// executable that needs no Node.js, for the system this runs on (scripts/build-sea.mjs).
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { HELPER_EXTERNAL } from './build-helper.mjs';
import { buildSea } from './build-sea.mjs';

const root = resolve(import.meta.dirname, '..');
const out = join(root, '.output');
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
const HELPER_NAME = 'mail-notifier-helper';

function step(label, command, args, cwd = root) {
  process.stdout.write(`• ${label}… `);
  const started = Date.now();
  // npx and npm are .cmd scripts on Windows, which only a shell runs.
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', shell: process.platform === 'win32' });
  if (result.status !== 0) {
    console.log('failed');
    console.error(result.stdout, result.stderr ?? result.error?.message);
    process.exit(1);
  }
  console.log(`done (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

step('Zipping the extension for Chrome', 'npx', ['wxt', 'zip']);
step('Zipping the extension for Firefox, and its sources', 'npx', ['wxt', 'zip', '-b', 'firefox']);
step('Zipping the extension for Safari', 'npx', ['wxt', 'zip', '-b', 'safari']);

// The helper gets a package of its own: its JavaScript build, the command that runs it, and the
// packages the build leaves outside (HELPER_EXTERNAL). No sources, no build tools.
step('Building the helper', process.execPath, ['scripts/build-helper.mjs']);
const stage = await mkdtemp(join(tmpdir(), `${HELPER_NAME}-`));
try {
  await cp(join(root, 'dist', 'helper'), join(stage, 'dist', 'helper'), { recursive: true, filter: (path) => !path.endsWith('inputs.json') });
  for (const file of ['helper/bin.mjs', 'helper/node-flags.json', 'README.md']) await cp(join(root, file), join(stage, file));
  const helperPkg = {
    name: HELPER_NAME,
    version: pkg.version,
    description: pkg.description,
    type: 'module',
    engines: pkg.engines,
    bin: pkg.bin,
    dependencies: Object.fromEntries(HELPER_EXTERNAL.map((name) => [name, pkg.dependencies[name]])),
  };
  await writeFile(join(stage, 'package.json'), `${JSON.stringify(helperPkg, null, 2)}\n`);
  step('Packing the helper', 'npm', ['pack', '--pack-destination', out], stage);
} finally {
  await rm(stage, { recursive: true, force: true });
}

process.stdout.write(`• Building the helper as one executable for ${process.platform}-${process.arch}… `);
const seaStarted = Date.now();
const executable = await buildSea(out);
console.log(`done (${((Date.now() - seaStarted) / 1000).toFixed(1)} s)`);

const files = [
  ...['chrome', 'firefox', 'sources', 'safari'].map((target) => `${pkg.name}-${pkg.version}-${target}.zip`),
  `${HELPER_NAME}-${pkg.version}.tgz`,
  basename(executable),
];
console.log(`\nRelease files in ${out}:`);
for (const file of files) {
  const { size } = await stat(join(out, file));
  console.log(`  ${file.padEnd(40)} ${(size / 1024).toFixed(1).padStart(8)} KiB`);
}
