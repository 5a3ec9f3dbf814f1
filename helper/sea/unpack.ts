/**
 * The files the single executable carries, packed by scripts/build-sea.mjs into one gzipped asset:
 * a 4-byte little-endian length, an index of that many bytes (JSON: `{ files: [{ path, size, mode }] }`),
 * then each file's bytes in the index's order.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';

interface PackedFile {
  path: string;
  size: number;
  mode: number;
}

function writeFiles(archive: Uint8Array, into: string): void {
  const bytes = gunzipSync(archive);
  const indexLength = bytes.readUInt32LE(0);
  const { files } = JSON.parse(bytes.subarray(4, 4 + indexLength).toString('utf8')) as { files: PackedFile[] };
  const root = resolve(into);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  let at = 4 + indexLength;
  for (const file of files) {
    const target = resolve(root, file.path);
    if (!target.startsWith(root + sep)) throw new Error(`a packed file would land outside its folder: ${file.path}`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes.subarray(at, at + file.size), { mode: file.mode });
    at += file.size;
  }
  if (at !== bytes.length) throw new Error('the packed files do not add up to the asset: the executable is damaged');
}

/**
 * Unpacks `archive()` into `dir` unless `dir` exists. The files go to a folder of their own first
 * and it is renamed into place whole, so a `dir` that exists is complete: a start cut short, or two
 * starts at once, never leave half of it.
 */
export function unpackOnce(archive: () => Uint8Array, dir: string): void {
  if (existsSync(dir)) return;
  const temporary = `${dir}.${process.pid}.tmp`;
  rmSync(temporary, { recursive: true, force: true });
  try {
    writeFiles(archive(), temporary);
    renameSync(temporary, dir);
  } catch (err) {
    rmSync(temporary, { recursive: true, force: true });
    // Another start unpacked the same build first: its files are as good.
    if (!existsSync(dir)) throw err;
  }
}
