// After the suite: no secret a test used (test-artifacts/secrets.txt) may appear in any log the
// helper wrote (test-artifacts/logs/) or in the test runner's own output.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = 'test-artifacts';
const secrets = existsSync(join(dir, 'secrets.txt'))
  ? [...new Set(readFileSync(join(dir, 'secrets.txt'), 'utf8').split('\n').filter((s) => s.length >= 6))]
  : [];
const files = [
  ...(existsSync(join(dir, 'logs')) ? readdirSync(join(dir, 'logs')).map((f) => join(dir, 'logs', f)) : []),
  join(dir, 'vitest-output.log'),
  join(dir, 'vitest-keychain-output.log'),
].filter((f) => existsSync(f));
let leaks = 0;
let bytes = 0;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  bytes += text.length;
  for (const secret of secrets) {
    // As written, or as a JSON string holds it (the helper's log is JSON lines).
    if (text.includes(secret) || text.includes(JSON.stringify(secret).slice(1, -1))) {
      leaks++;
      console.error(`secret leak: ${file} contains a test secret (${secret.slice(0, 3)}…)`);
    }
  }
}
if (secrets.length === 0 || files.length === 0) {
  console.error('check-test-logs: nothing to check (no secrets recorded or no logs written): the check would prove nothing');
  process.exit(1);
}
console.log(`check-test-logs: ${secrets.length} secrets, ${files.length} log files (${bytes} bytes): ${leaks === 0 ? 'no leaks' : `${leaks} leaks`}`);
process.exit(leaks === 0 ? 0 : 1);
