/** `oplake sweep [--dry-run]`: run the dead-letter sweeper now (POST /v1/admin/sweep). */
import type { Command } from 'commander';
import { type CliContext, CliError } from '../context.js';
import { adminCall } from './admin-call.js';

interface Summary {
  sources?: Record<string, { errors?: unknown[] }>;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('sweep')
    .description(
      'sweep the dead letters now: redrive what can be retried, archive the rest, alert on critical rules',
    )
    .option('--dry-run', 'classify and report only: nothing is redriven, archived, removed or alerted')
    .option('--url <url>', 'server to ask', `http://127.0.0.1:${ctx.config.port}`)
    .option(
      '--data-dir <dir>',
      'local data directory (key set; in-process run when no server answers)',
      ctx.config.dataDir,
    )
    .addHelpText(
      'after',
      [
        '',
        'Prints the summary {"redriven", "archived", "waiting", "alerts", "sources": {...}} as JSON;',
        'exit code 1 when a source could not be swept. Archived letters: oplake dlq list.',
      ].join('\n'),
    )
    .action(async (options: { dryRun?: boolean; url: string; dataDir: string }) => {
      const dryRun = options.dryRun === true;
      const summary = (await adminCall(ctx, {
        url: options.url,
        dataDir: options.dataDir,
        method: 'POST',
        path: '/v1/admin/sweep',
        body: { dryRun },
        inProcess: async (runtime) => {
          const { runLocalSweep } = await import('../../local/server/sweep-routes.js');
          return runLocalSweep(runtime, dryRun);
        },
      })) as Summary | null;
      const failing = Object.entries(summary?.sources ?? {}).filter(([, s]) => (s.errors?.length ?? 0) > 0);
      if (failing.length > 0) {
        throw new CliError(
          `could not sweep ${failing.map(([name]) => name).join(', ')}; the letters stay where they are`,
        );
      }
    });
}
