/** Types for scripts/build-sea.mjs, which the tests and the bench import. */
export function executableName(platform?: NodeJS.Platform, arch?: string): string;
export function buildSea(outDir?: string): Promise<string>;
