// Bundles every function (functions/<name>/handler.ts) into one ESM file with esbuild and packs
// it into dist/<name>.zip. Reproducible: same sources, same zip bytes (fixed entry times and
// modes, sorted entries), so Terraform's source_code_hash changes only when the code does.
//
// It also builds the admin console into dist/console (console/build.mjs), which Terraform uploads
// to the console's bucket.
//
//   node build.mjs            all functions and the console
//   node build.mjs ingest     only the named ones (and `console` for the console only)
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import yazl from 'yazl';
import { buildConsole } from './console/build.mjs';

const ROOT = new URL('.', import.meta.url).pathname;
const DIST = join(ROOT, 'dist');
const FIXED_TIME = new Date('2020-01-01T00:00:00Z');

const all = readdirSync(join(ROOT, 'functions'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(ROOT, 'functions', d.name, 'handler.ts')))
  .map((d) => d.name)
  .sort();
const args = process.argv.slice(2);
const withConsole = args.length === 0 || args.includes('console');
const wanted = args.filter((name) => name !== 'console');
const unknown = wanted.filter((name) => !all.includes(name));
if (unknown.length > 0) {
  console.error(`unknown function(s): ${unknown.join(', ')}; known: ${all.join(', ')}`);
  process.exit(2);
}
const names = wanted.length > 0 ? wanted : args.length > 0 ? [] : all;

async function bundle(name) {
  const outdir = join(DIST, name);
  await rm(outdir, { recursive: true, force: true });
  await build({
    entryPoints: [join(ROOT, 'functions', name, 'handler.ts')],
    outfile: join(outdir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    sourcemap: true,
    sourcesContent: false,
    keepNames: true,
    minify: false,
    legalComments: 'none',
    logLevel: 'warning',
    // Native and local-mode-only packages never belong in a Lambda bundle.
    external: ['@duckdb/*', 'aws-local-stepfunctions'],
    // Some bundled CommonJS packages call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __oplakeCreateRequire } from 'node:module'; const require = __oplakeCreateRequire(import.meta.url);",
    },
  });
  const zipPath = join(DIST, `${name}.zip`);
  const zip = new yazl.ZipFile();
  for (const file of ['index.mjs', 'index.mjs.map']) {
    zip.addBuffer(await readFile(join(outdir, file)), file, {
      mtime: FIXED_TIME,
      mode: 0o100644,
      compress: true,
    });
  }
  zip.end();
  await new Promise((resolve, reject) => {
    zip.outputStream.pipe(createWriteStream(zipPath)).on('close', resolve).on('error', reject);
  });
  const bytes = (await stat(zipPath)).size;
  const js = (await stat(join(outdir, 'index.mjs'))).size;
  const sha = createHash('sha256')
    .update(await readFile(zipPath))
    .digest('base64');
  return { name, js, bytes, sha };
}

await mkdir(DIST, { recursive: true });
const started = Date.now();
const results = [];
for (const name of names) {
  process.stdout.write(`building ${name} ... `);
  const result = await bundle(name);
  results.push(result);
  process.stdout.write('done\n');
}
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
if (results.length > 0)
  console.log('\nfunction          bundle      zip   sha256 (base64, = source_code_hash)');
for (const r of results)
  console.log(`${r.name.padEnd(16)} ${kib(r.js).padStart(8)} ${kib(r.bytes).padStart(8)}   ${r.sha}`);
if (withConsole) {
  const site = await buildConsole(join(DIST, 'console'));
  console.log(
    `\nconsole -> dist/console: ${site.files.join(', ')} (${kib(site.bytes)} of JavaScript and maps)`,
  );
}
console.log(`\n${results.length} function(s) in ${((Date.now() - started) / 1000).toFixed(1)} s -> dist/`);
