/**
 * The helper's own log file when it runs as a service (`start --log-file FILE`): JSON lines,
 * rotated by size so the file never grows without bound. At `maxBytes` the file becomes FILE.1
 * (replacing the previous one) and a fresh FILE is started: at most twice `maxBytes` on disk.
 * Written synchronously through pino's own destination (sonic-boom), which reopens the path
 * after the rename; the refusal summaries (helper/server/refusal-log.ts) keep the volume small.
 */
import { renameSync, statSync, truncateSync } from 'node:fs';
import pino, { type DestinationStream } from 'pino';

export const LOG_FILE_MAX_BYTES = 1024 * 1024;

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export function rotatingLogFile(path: string, maxBytes = LOG_FILE_MAX_BYTES): DestinationStream {
  const file = pino.destination({ dest: path, sync: true, mkdir: true, append: true, mode: 0o600 });
  let size = sizeOf(path);
  const rotate = () => {
    try {
      renameSync(path, `${path}.1`);
    } catch {
      // Cannot rename (a file system that refuses it): start the same file afresh instead.
      truncateSync(path, 0);
    }
    file.reopen();
    size = 0;
  };
  return {
    write(line: string) {
      const bytes = Buffer.byteLength(line);
      try {
        if (size > 0 && size + bytes > maxBytes) rotate();
        file.write(line);
        size += bytes;
      } catch {
        // A full or read-only disk: the line is lost, the helper goes on (it says so in its state).
      }
    },
  };
}
