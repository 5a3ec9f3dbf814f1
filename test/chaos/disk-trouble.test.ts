import { describe, expect, it } from 'vitest';
import { failedChecks } from './report';
import { DISK_TROUBLE, diskTrouble } from './scenarios/disk-trouble';
import { tinyDiskAvailable } from './tiny-disk';

describe('chaos 7: disk full or read-only state directory', () => {
  it('shows the storage error, logs in only when it can record it, keeps the log, recovers', async (ctx) => {
    if (!(await tinyDiskAvailable())) ctx.skip('this machine does not allow mounting a tmpfs (needs root)');
    const result = await diskTrouble(DISK_TROUBLE.short, 'chaos-disk-trouble');
    expect(failedChecks(result)).toEqual([]);
  }, 60_000);
});
