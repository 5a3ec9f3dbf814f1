/**
 * `npm run bench [-- NAME...] [--quick] [--cycles N] [--sleep S]`: runs the chosen benchmarks (all by default) against a
 * real Dovecot on loopback and real Chromium, and prints one table (docs/BENCHMARKS.md).
 * Benchmarks marked `together` (minutes of mostly waiting) run side by side; the rest one by one.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { Bench, BenchOptions, Row } from './bench';
import { bigMailboxBench } from './big-mailbox';
import { accountsBench } from './accounts';
import { bundleBench } from './bundle';
import { coldStartBench } from './cold-start';
import { bytesBench } from './bytes';
import { idleBench } from './idle';
import { fanoutBench, latencyBench } from './latency';
import { loginsBench } from './logins';
import { describeMachine } from './machine';
import { popupBench } from './popup';
import { wakeBench } from './wake';

const BENCHES: Bench[] = [latencyBench, bytesBench, loginsBench, idleBench, accountsBench, wakeBench, coldStartBench, bigMailboxBench, popupBench, fanoutBench, bundleBench];

async function runOne(bench: Bench, options: Omit<BenchOptions, 'log'>): Promise<Row[]> {
  const started = performance.now();
  console.log(`[${bench.name}] ${bench.title}: started`);
  // A benchmark that fails is a row saying so: the others' figures still make the table.
  const rows = await bench.run({ ...options, log: (line) => console.log(`[${bench.name}] ${line}`) }).catch((err: unknown): Row[] => {
    console.error(`[${bench.name}] failed:`, err instanceof Error ? err.stack : err);
    return [{ measure: bench.title, figure: `failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`, met: false }];
  });
  for (const row of rows) console.log(`[${bench.name}] ${row.measure}: ${row.figure}${row.met === undefined ? '' : `  (target ${row.target}: ${row.met ? 'met' : 'MISSED'})`}`);
  console.log(`[${bench.name}] done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return rows;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { quick: { type: 'boolean', default: false }, cycles: { type: 'string' }, sleep: { type: 'string' } },
  });
  const unknown = positionals.filter((name) => !BENCHES.some((b) => b.name === name));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.name).join(' ')}`);
  const chosen = positionals.length > 0 ? BENCHES.filter((b) => positionals.includes(b.name)) : BENCHES;
  const quick = values.quick ?? false;
  const number = (text: string | undefined) => (text === undefined ? undefined : Number(text));
  const options = { quick, cycles: number(values.cycles), sleepSeconds: number(values.sleep) };
  if (Object.values(options).some((x) => Number.isNaN(x))) throw new Error('--cycles and --sleep take numbers');
  const started = performance.now();
  console.log(describeMachine().join('\n'));
  console.log(`run: ${chosen.map((b) => b.name).join(' ')}${quick ? ' (--quick: development figures, not the record)' : ''}${values.cycles || values.sleep ? ` (--cycles ${values.cycles ?? 'default'} --sleep ${values.sleep ?? 'default'})` : ''}\n`);
  const rows = new Map<Bench, Row[]>();
  const together = chosen.filter((b) => b.together);
  for (const bench of chosen) {
    if (rows.has(bench)) continue;
    const step = bench.together ? together : [bench];
    const results = await Promise.all(step.map((b) => runOne(b, options)));
    step.forEach((b, i) => rows.set(b, results[i]));
  }
  console.log('\n| benchmark | measure | figure | target | |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const bench of chosen) {
    for (const row of rows.get(bench) ?? []) {
      console.log(`| ${bench.name} | ${row.measure} | ${row.figure} | ${row.target ?? ''} | ${row.met === undefined ? '' : row.met ? 'met' : '**missed**'} |`);
    }
  }
  console.log(`\ntotal ${((performance.now() - started) / 60_000).toFixed(1)} min; load average (1/5/15 min) at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});
