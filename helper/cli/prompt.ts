import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';

/**
 * Asks a question on the terminal; with `secret` the answer is not echoed. Node's readline with
 * a muted output stream is enough for this; no prompt library is worth a dependency here.
 */
export async function ask(question: string, { secret = false } = {}): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: process.stdin.isTTY === true });
  try {
    const answer = rl.question(question);
    muted = secret;
    const value = await answer;
    if (secret) process.stdout.write('\n');
    return value.trim();
  } finally {
    rl.close();
  }
}
