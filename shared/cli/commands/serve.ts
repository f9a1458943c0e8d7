/** `oplake serve`: local mode on 127.0.0.1 (the same as `make dev`). */

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type CliContext, CliError } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('run the whole pipeline locally on 127.0.0.1 until Ctrl-C')
    .option('--port <port>', 'HTTP port', String(ctx.config.port))
    .option('--data-dir <dir>', 'local data directory', ctx.config.dataDir)
    .action(async (options: { port: string; dataDir: string }) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new CliError(`not a port: ${options.port}`);
      const { serveUntilSignal } = await import('../../local/server/serve.js');
      await serveUntilSignal({ ...ctx.config, port, dataDir: resolve(options.dataDir) });
      // Keep running: the server holds the event loop until a signal closes it.
      await new Promise<never>(() => {});
    });
}
