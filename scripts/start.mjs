// `npm start`: builds the extension for Chrome and Firefox, then runs the helper in the
// foreground. The helper prints the pairing code; this prints what to load where.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

function step(label, command, args) {
  process.stdout.write(`• ${label}… `);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) {
    console.log('failed');
    console.error(result.stdout, result.stderr);
    console.error(`\n${label} failed. Run \`npm install\` first if you have not, then try again.`);
    process.exit(1);
  }
  console.log(`done (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

const nodeFlags = JSON.parse(readFileSync(resolve(root, 'helper/node-flags.json'), 'utf8'));
const helperCommand = (...args) => [...nodeFlags, resolve(root, 'helper/bin.mjs'), ...args];

step('Building the extension for Chrome', 'npx', ['wxt', 'build']);
step('Building the extension for Firefox', 'npx', ['wxt', 'build', '-b', 'firefox']);
step('Building the helper', process.execPath, ['scripts/build-helper.mjs']);

const LOAD = `Load the extension:
  Chrome / Edge / Brave: open chrome://extensions, turn on Developer mode, "Load unpacked",
                         and pick ${resolve(root, '.output/chrome-mv3')}
  Firefox:               open about:debugging#/runtime/this-firefox, "Load Temporary Add-on…",
                         and pick ${resolve(root, '.output/firefox-mv2/manifest.json')}`;

// A second `npm start` beside a running helper: say so, and how to pair one more browser, instead of
// starting a second helper (which would refuse anyway: one helper per settings folder).
const status = spawnSync(process.execPath, helperCommand('status'), { cwd: root, encoding: 'utf8' });
const running = /helper \S+ running \(pid (\d+)\) on (\S+), (\d+) browser\(s\) connected/.exec(status.stdout ?? '');
if (running) {
  const [, pid, address, browsers] = running;
  console.log(`
The helper is already running (pid ${pid}) at ${address}, with ${browsers} browser(s) connected: nothing
more to start, and the browsers you paired keep working.
To pair another browser: load the extension there (below), run \`npm run helper pair\`, and type the code
it prints in that browser's settings page, with the helper address ${address}.
To stop the helper: Ctrl-C where it runs (or \`npm run helper service stop\` if it runs as a service).

${LOAD}
`);
  process.exit(0);
}

console.log(`
${LOAD}
Then open the extension's settings page, enter the helper address and the pairing code below,
and add your account (for iCloud: an app-specific password from account.apple.com).
• Starting the helper (Ctrl-C stops it)…
`);

const helper = spawn(process.execPath, helperCommand('start', ...process.argv.slice(2)), {
  cwd: root,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => helper.kill(signal));
helper.on('exit', (code) => process.exit(code ?? 0));
