/**
 * What the kernel says a process costs: CPU time from /proc/PID/stat (utime + stime, in clock
 * ticks of 1/100 s on Linux) and memory from /proc/PID/status (VmRSS now, VmHWM the peak).
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

const TICKS_PER_SECOND = 100;

export interface ProcSample {
  /** performance.now() of this process when sampled. */
  at: number;
  cpuSeconds: number;
  rssMiB: number;
  peakRssMiB: number;
}

export async function sampleProcess(pid: number): Promise<ProcSample> {
  const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8')]);
  // Fields after the command name, which is in parentheses and may hold spaces: utime is field 14.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { at: performance.now(), cpuSeconds: ticks / TICKS_PER_SECOND, rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
}

/** CPU used between two samples, as a percentage of one core. */
export function cpuPercent(from: ProcSample, to: ProcSample): number {
  return (100 * (to.cpuSeconds - from.cpuSeconds)) / ((to.at - from.at) / 1000);
}

/**
 * Drops the file's pages that no process maps from the page cache (GNU dd's `iflag=nocache
 * count=0`), so a program starts from it as after a reboot. Why: how much of an executable's file
 * a process has resident depends on how its pages got into the cache. A node binary just written
 * whole (as the single executable is by its build, or by a download) is mapped in bigger pieces
 * per page fault: a trivial single executable measured 51 MiB RSS right after its build and 36 MiB
 * once its pages had been dropped and read back by use, against 40 MiB for node itself.
 */
export function dropFromPageCache(file: string): void {
  execFileSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0'], { stdio: 'ignore', timeout: 30_000 });
}
