// Builds the helper as one executable that needs no Node.js installed: Node's single executable
// applications (Node 20: a blob made by `node --experimental-sea-config`, injected into a copy of
// this node binary with postject). The executable is for the system and CPU it is built on; run
// this on a Mac or on Windows for theirs (macOS also needs `codesign`, from Xcode's tools).
//
// What it carries: the main script (helper/sea/sea-main.ts), which sets the helper's node flags and
// unpacks, once per build, one asset holding what the npm package holds (dist/helper, a
// package.json, and the packages HELPER_EXTERNAL leaves outside the build with everything they
// need) into the user's cache, then loads the helper from there. Why unpack rather than bundle all:
// the keychain binding is native code, which Node loads only from a file; hoodiecrow-imap reads its
// certificates from its own folder; iconv-lite's tables, bundled, would all sit in memory.
//
//   node scripts/build-sea.mjs [OUT_DIR]    build into OUT_DIR (default .output); prints the path
//   import { buildSea }                     what `npm run package`, the tests and the bench call
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { constants, gzipSync } from 'node:zlib';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HELPER_DIST, HELPER_EXTERNAL, buildHelperIfStale } from './build-helper.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const ASSET = 'helper-files';
const START = 'start.cjs';
// The fuse Node's binary carries to say whether a blob was injected (Node's SEA documentation).
const SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const SYSTEM_NAMES = { linux: 'linux', darwin: 'macos', win32: 'windows' };

/** The executable's file name for this system, e.g. mail-notifier-helper-0.1.0-linux-x64. */
export function executableName(platform = process.platform, arch = process.arch) {
  const system = SYSTEM_NAMES[platform];
  if (!system) throw new Error(`no single executable for ${platform}: Node builds them for Linux, macOS and Windows`);
  return `mail-notifier-helper-${pkg.version}-${system}-${arch}${platform === 'win32' ? '.exe' : ''}`;
}

/** The installed packages `names` need at run time: each one's folder and its dependencies', once. */
function packageFolders(names) {
  const folders = new Map();
  const visit = (name, from) => {
    const folder = [from, root].map((base) => join(base, 'node_modules', name)).find((dir) => statSync(join(dir, 'package.json'), { throwIfNoEntry: false }));
    if (!folder) return false;
    if (folders.has(folder)) return true;
    folders.set(folder, name);
    const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      if (!visit(dep, folder)) throw new Error(`${name} needs ${dep}, which is not installed: run npm ci`);
    }
    // Optional ones as npm installed them: the keychain's native binding for this system only.
    for (const dep of Object.keys(manifest.optionalDependencies ?? {})) visit(dep, folder);
    return true;
  };
  for (const name of names) if (!visit(name, root)) throw new Error(`${name} is not installed: run npm ci`);
  return [...folders.keys()];
}

function filesUnder(dir, keep = () => true) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .filter(keep)
    .sort();
}

/**
 * The asset (helper/sea/unpack.ts reads it): index length, index, then the files, gzipped. Gzipped
 * because reading it leaves its pages of the executable in the process's memory, on the first start.
 */
function packFiles(files) {
  const index = Buffer.from(JSON.stringify({ files: files.map(({ path, data, mode }) => ({ path, size: data.length, mode })) }), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(index.length);
  return gzipSync(Buffer.concat([length, index, ...files.map((file) => file.data)]), { level: constants.Z_BEST_COMPRESSION });
}

function helperFiles() {
  const files = [];
  const add = (path, data, mode = 0o644) => files.push({ path: path.split('\\').join('/'), data, mode });
  for (const file of filesUnder(HELPER_DIST, (path) => !path.endsWith('inputs.json') && !path.endsWith('.tmp'))) {
    add(relative(root, file), readFileSync(file));
  }
  // Only what helper/version.ts reads, and the module type of dist/helper's files.
  add('package.json', Buffer.from(`${JSON.stringify({ name: 'mail-notifier-helper', version: pkg.version, type: 'module' }, null, 2)}\n`));
  add(START, Buffer.from("// Loads the helper (an ES module) for helper/sea/sea-main.ts, which can only require.\nimport('./dist/helper/cli.js');\n"));
  for (const folder of packageFolders(HELPER_EXTERNAL)) {
    for (const file of filesUnder(folder, (path) => !relative(folder, path).split(/[\\/]/).includes('node_modules'))) {
      const { mode } = statSync(file);
      add(relative(root, file), readFileSync(file), mode & 0o755);
    }
  }
  return files;
}

async function bundleMain(outfile, defines) {
  const esbuild = await import('esbuild');
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['helper/sea/sea-main.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    // A single executable's main script is CommonJS in Node 20.
    format: 'cjs',
    target: 'node20',
    minify: true,
    define: Object.fromEntries(Object.entries(defines).map(([name, value]) => [name, JSON.stringify(value)])),
    logLevel: 'warning',
  });
  await esbuild.stop();
}

/** Runs a build tool quietly (postject's ELF library warns about every note section it reads); its output only if it fails. */
function run(command, args) {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  } catch (err) {
    throw new Error(`${[command, ...args].join(' ')} failed: ${err.stderr || err.stdout || err.message}`);
  }
}

/** Builds the executable for this system into `outDir` and returns its path. */
export async function buildSea(outDir = join(root, '.output')) {
  await buildHelperIfStale();
  const work = mkdtempSync(join(tmpdir(), 'mn-sea-'));
  try {
    const archive = packFiles(helperFiles());
    const buildId = `${pkg.version}-${createHash('sha256').update(archive).digest('hex').slice(0, 16)}`;
    const [archiveFile, mainFile, blobFile, configFile] = ['files.bin', 'main.cjs', 'sea.blob', 'sea-config.json'].map((name) => join(work, name));
    writeFileSync(archiveFile, archive);
    await bundleMain(mainFile, { SEA_BUILD_ID: buildId, SEA_ASSET: ASSET, SEA_START: START });
    writeFileSync(configFile, JSON.stringify({ main: mainFile, output: blobFile, disableExperimentalSEAWarning: true, assets: { [ASSET]: archiveFile } }));
    run(process.execPath, ['--experimental-sea-config', configFile]);

    mkdirSync(outDir, { recursive: true });
    const exe = join(outDir, executableName());
    rmSync(exe, { force: true });
    copyFileSync(process.execPath, exe);
    chmodSync(exe, 0o755);
    if (process.platform === 'darwin') run('codesign', ['--remove-signature', exe]);
    run(process.execPath, [
      join(root, 'node_modules', 'postject', 'dist', 'cli.js'), exe, 'NODE_SEA_BLOB', blobFile, '--sentinel-fuse', SENTINEL_FUSE,
      ...(process.platform === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : []),
    ]);
    // macOS runs only signed code on Apple silicon: an ad-hoc signature (a Developer ID one for release).
    if (process.platform === 'darwin') run('codesign', ['--sign', '-', exe]);
    return exe;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await buildSea(process.argv[2] ? resolve(process.argv[2]) : undefined));
}
