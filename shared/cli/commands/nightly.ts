/** `oplake nightly [--date] [--mode]`: run the nightly workflow now (POST /v1/admin/nightly). */
import type { Command } from 'commander';
import { RUN_MODES } from '../../conversion/discover.js';
import { DATE_PATTERN } from '../../domain/limits.js';
import { type CliContext, CliError } from '../context.js';
import { adminCall } from './admin-call.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('nightly')
    .description('convert every pending tenant-day to Parquet now (the nightly workflow)')
    .option('--date <YYYY-MM-DD>', 'convert pending tenant-days up to this UTC date (default: today)')
    .option(
      '--mode <nightly|intraday>',
      'intraday: only today and yesterday, no retention or compaction (docs/nightly.md "Intraday runs")',
    )
    .option('--url <url>', 'server to ask', `http://127.0.0.1:${ctx.config.port}`)
    .option(
      '--data-dir <dir>',
      'local data directory (key set; in-process run when no server answers)',
      ctx.config.dataDir,
    )
    .addHelpText(
      'after',
      '\nPrints the summary {"targets", "succeeded", "failed", ...} as JSON; exit code 1 when a tenant failed.',
    )
    .action(async (options: { date?: string; mode?: string; url: string; dataDir: string }) => {
      if (options.date !== undefined && !DATE_PATTERN.test(options.date)) {
        throw new CliError(`--date must be YYYY-MM-DD, got ${options.date}`);
      }
      if (options.mode !== undefined && !(RUN_MODES as readonly string[]).includes(options.mode)) {
        throw new CliError(`--mode must be one of ${RUN_MODES.join(', ')}, got ${options.mode}`);
      }
      const summary = await adminCall(ctx, {
        url: options.url,
        dataDir: options.dataDir,
        method: 'POST',
        path: '/v1/admin/nightly',
        body: {
          ...(options.date === undefined ? {} : { date: options.date }),
          ...(options.mode === undefined ? {} : { mode: options.mode }),
        },
        inProcess: async (runtime) => {
          // Loaded only when needed, so `oplake token` stays free of the pipeline's modules.
          const { runLocalNightly } = await import('../../local/server/nightly-routes.js');
          return runLocalNightly(
            runtime,
            { date: options.date, mode: options.mode },
            {
              intradayMinRawBytes: ctx.config.intraday.minRawBytes,
            },
          );
        },
      });
      const failed = (summary as { failed?: unknown } | undefined)?.failed;
      if (typeof failed === 'number' && failed > 0) {
        throw new CliError(`${failed} tenant(s) failed; their data stays pending for the next run`);
      }
    });
}
