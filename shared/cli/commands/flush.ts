/** `oplake flush`: make every accepted event searchable now (POST /v1/admin/flush). */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { adminCall } from './admin-call.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('flush')
    .description('process queued batches and write stream buffers to the lake, now')
    .option('--url <url>', 'server to ask', `http://127.0.0.1:${ctx.config.port}`)
    .option(
      '--data-dir <dir>',
      'local data directory (key set; in-process run when no server answers)',
      ctx.config.dataDir,
    )
    .addHelpText('after', '\nPrints {"batches", "events", "objects"} as JSON.')
    .action(async (options: { url: string; dataDir: string }) => {
      await adminCall(ctx, {
        url: options.url,
        dataDir: options.dataDir,
        method: 'POST',
        path: '/v1/admin/flush',
        inProcess: async (runtime) => {
          const { batches, events, objects, failed, deadLetters } = await runtime.flush();
          return {
            batches,
            events,
            objects,
            ...(failed ? { failed } : {}),
            ...(deadLetters ? { deadLetters } : {}),
          };
        },
      });
    });
}
