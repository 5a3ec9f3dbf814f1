/**
 * `npm run chaos [-- --short] [-- --only=link-flap,stall]`: runs the scenarios one after another
 * and prints each verdict. The full run of all nine writes docs/RELIABILITY.md. Resolves with the
 * process exit code: 1 if any check failed or a scenario could not run.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { check, failedChecks, renderReport, type ScenarioResult } from './report';
import { SCENARIOS, type Size } from './scenarios/index';

const REPORT = resolve(import.meta.dirname, '../../docs/RELIABILITY.md');

export async function runChaos(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { short: { type: 'boolean' }, only: { type: 'string' } } });
  const size: Size = values.short ? 'short' : 'full';
  const only = values.only?.split(',').map((name) => name.trim());
  const unknown = only?.filter((name) => !SCENARIOS.some((s) => s.name === name)) ?? [];
  if (unknown.length > 0) {
    console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
    return 2;
  }
  const chosen = SCENARIOS.filter((s) => !only || only.includes(s.name));
  const results: ScenarioResult[] = [];
  for (const [index, scenario] of chosen.entries()) {
    console.log(`[${index + 1}/${chosen.length}] ${scenario.name} (${size}) …`);
    let result: ScenarioResult;
    try {
      result = await scenario.run(size);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      result = { title: `${scenario.name}: did not complete`, injected: '(the scenario stopped with an error)', figures: [], checks: [check('the scenario ran to the end', false, message)], realMs: 0 };
    }
    results.push(result);
    const failed = failedChecks(result);
    console.log(`    ${failed.length === 0 ? 'pass' : 'FAIL'}: ${result.checks.length - failed.length}/${result.checks.length} checks, ${(result.realMs / 1000).toFixed(1)} s`);
    for (const c of failed) console.log(`    ✗ ${c.name}: ${c.detail}`);
  }
  if (size === 'full' && !only) {
    const command = 'npm run chaos';
    await writeFile(REPORT, renderReport(results, { command, date: new Date().toISOString().slice(0, 10), node: process.versions.node }));
    console.log(`wrote ${REPORT}`);
  }
  return results.every((r) => failedChecks(r).length === 0) ? 0 : 1;
}
