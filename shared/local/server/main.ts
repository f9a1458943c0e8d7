/**
 * `make dev` (npx tsx shared/local/server/main.ts): the whole pipeline on this machine. The composition
 * root of local mode: the only place, with the CLI, that reads the environment.
 */
import { readLocalConfig } from '../runtime/config.js';
import { serveUntilSignal } from './serve.js';

serveUntilSignal(readLocalConfig(process.env)).catch((error: unknown) => {
  process.stderr.write(`oplake: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
