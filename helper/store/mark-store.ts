import * as v from 'valibot';
import type { Mark, MarkStore } from '../mail/new-mail-marks';
import { corruptFile, readJson, writeJsonAtomic } from './atomic-file';

const MarksSchema = v.record(
  v.string(),
  v.object({ uidValidity: v.pipe(v.number(), v.integer(), v.minValue(0)), highWater: v.pipe(v.number(), v.integer(), v.minValue(0)) }),
);

/** New-mail high-water marks of one account, in the state dir. */
export class FileMarkStore implements MarkStore {
  constructor(private readonly path: string) {}

  async load(): Promise<Record<string, Mark>> {
    const raw = await readJson(this.path);
    if (raw === undefined) return {};
    const parsed = v.safeParse(MarksSchema, raw);
    if (!parsed.success) throw corruptFile(this.path, parsed.issues[0].message);
    return parsed.output;
  }

  save(marks: Record<string, Mark>): Promise<void> {
    return writeJsonAtomic(this.path, marks, { mode: 0o600 });
  }
}
