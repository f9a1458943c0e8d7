/** Types of console/build.mjs for the TypeScript that imports it (the local server, the tests). */
export function buildConsole(outdir: string): Promise<{ files: string[]; bytes: number }>;
