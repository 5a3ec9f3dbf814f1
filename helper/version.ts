import { createRequire } from 'node:module';

/** The package version, shown to the extension in `hello` and by `helper status`. */
export const HELPER_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
