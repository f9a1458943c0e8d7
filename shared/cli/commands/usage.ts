/** `oplake usage [--tenant T] [--from D] [--to D]`: usage per tenant and day (GET /v1/admin/usage). */
import type { Command } from 'commander';
import { localUsage } from '../../local/server/usage-routes.js';
import type { CliContext } from '../context.js';
import { adminCall } from './admin-call.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('usage')
    .description('usage per tenant and day: events accepted/rejected, bytes stored, searches, conversions')
    .option('--tenant <id>', 'one tenant only')
    .option('--from <YYYY-MM-DD>', 'first UTC day (default: 29 days before --to)')
    .option('--to <YYYY-MM-DD>', 'last UTC day, inclusive (default: today)')
    .option('--url <url>', 'server to ask', `http://127.0.0.1:${ctx.config.port}`)
    .option(
      '--data-dir <dir>',
      'local data directory (key set; in-process run when no server answers)',
      ctx.config.dataDir,
    )
    .addHelpText(
      'after',
      '\nPrints {"from", "to", "tenant", "rows": [{tenantId, day, eventsAccepted, eventsRejected,\n' +
        'rawBytes, parquetBytes, searches, scannedBytes, conversions, convertedRows}]} as JSON.\n' +
        'Price it with `make cost ARGS=--per-tenant`.',
    )
    .action(
      async (options: { tenant?: string; from?: string; to?: string; url: string; dataDir: string }) => {
        const params = new URLSearchParams();
        for (const key of ['tenant', 'from', 'to'] as const) {
          const value = options[key];
          if (value !== undefined) params.set(key, value);
        }
        const query = params.toString();
        await adminCall(ctx, {
          url: options.url,
          dataDir: options.dataDir,
          method: 'GET',
          path: `/v1/admin/usage${query ? `?${query}` : ''}`,
          inProcess: (runtime) =>
            localUsage(runtime, { tenant: options.tenant, from: options.from, to: options.to }),
        });
      },
    );
}
