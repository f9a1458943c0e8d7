// Builds the admin console (console/src/main.ts) with esbuild into one static folder:
// index.html, styles.css, console.js (Chart.js bundled; nothing is fetched from a CDN) and
// config.json ({"apiUrl": ""}: call this origin). `make dev` serves it at /; Terraform uploads
// it to the static site's bucket and writes its own config.json with the search function URL.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

const HERE = new URL('.', import.meta.url).pathname;

/** @param {string} outdir @returns {Promise<{ files: string[], bytes: number }>} */
export async function buildConsole(outdir) {
  await mkdir(outdir, { recursive: true });
  const result = await build({
    entryPoints: [join(HERE, 'src', 'main.ts')],
    outfile: join(outdir, 'console.js'),
    bundle: true,
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    format: 'esm',
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
    metafile: true,
  });
  await copyFile(join(HERE, 'index.html'), join(outdir, 'index.html'));
  await copyFile(join(HERE, 'styles.css'), join(outdir, 'styles.css'));
  await writeFile(join(outdir, 'config.json'), `${JSON.stringify({ apiUrl: '' })}\n`);
  const outputs = Object.entries(result.metafile.outputs);
  return {
    files: [
      'index.html',
      'styles.css',
      'config.json',
      ...outputs.map(([path]) => path.split('/').pop() ?? path),
    ],
    bytes: outputs.reduce((sum, [, o]) => sum + o.bytes, 0),
  };
}
