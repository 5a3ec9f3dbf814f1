/**
 * What the browser loads for the popup and for the background, from the built extension
 * (.output/chrome-mv3, which `npm run bench` builds first): each page's scripts and styles with
 * the chunks they import, raw and gzipped (zlib's default level 6).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { EXTENSION_DIR } from '../test/e2e/chromium';
import type { Bench, Row } from './bench';

/** The file and every chunk it imports statically or dynamically, as paths under the extension dir. */
function withImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  if (!file.endsWith('.js')) return seen;
  const dir = file.slice(0, file.lastIndexOf('/') + 1);
  for (const [, spec] of readFileSync(join(EXTENSION_DIR, file), 'utf8').matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
    withImports(new URL(spec, `file:///${dir}`).pathname.slice(1), seen);
  }
  return seen;
}

function pageFiles(html: string): Set<string> {
  const text = readFileSync(join(EXTENSION_DIR, html), 'utf8');
  const files = new Set<string>();
  for (const [, path] of text.matchAll(/(?:src|href)="\/([^"]+\.(?:js|css))"/g)) withImports(path, files);
  return files;
}

function sizeRow(name: string, files: Set<string>): Row {
  const bytes = [...files].map((file) => readFileSync(join(EXTENSION_DIR, file)));
  const raw = bytes.reduce((sum, b) => sum + b.length, 0);
  const gzip = bytes.reduce((sum, b) => sum + gzipSync(b).length, 0);
  return { measure: `${name}: ${[...files].join(', ')}`, figure: `${(gzip / 1024).toFixed(1)} KiB gzipped (${(raw / 1024).toFixed(1)} KiB raw)` };
}

export const bundleBench: Bench = {
  name: 'bundle',
  title: 'Bundle size of the popup and the background',
  async run() {
    const manifest = JSON.parse(readFileSync(join(EXTENSION_DIR, 'manifest.json'), 'utf8')) as { background: { service_worker: string } };
    return [
      sizeRow('popup', new Set(['popup.html', ...pageFiles('popup.html')])),
      sizeRow('background', withImports(manifest.background.service_worker)),
    ];
  },
};
