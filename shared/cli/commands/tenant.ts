/** `oplake tenant delete <id>`: remove every byte of a tenant's data (DELETE /v1/admin/tenants/{id}). */
import type { Command } from 'commander';
import { TENANT_PATTERN } from '../../domain/limits.js';
import { type CliContext, CliError } from '../context.js';
import { adminCall } from './admin-call.js';

export function register(program: Command, ctx: CliContext): void {
  const tenant = program.command('tenant').description('tenant operations');
  tenant
    .command('delete')
    .description("remove every byte of a tenant's data (lake, buffers); answers counts")
    .argument('<tenantId>', 'the tenant to delete')
    .option('--url <url>', 'server to ask', `http://127.0.0.1:${ctx.config.port}`)
    .option(
      '--data-dir <dir>',
      'local data directory (key set; in-process run when no server answers)',
      ctx.config.dataDir,
    )
    .addHelpText('after', '\nPrints {"tenantId", "objects", "bytes"} as JSON.')
    .action(async (tenantId: string, options: { url: string; dataDir: string }) => {
      if (!TENANT_PATTERN.test(tenantId)) throw new CliError(`not a tenant id: ${tenantId}`);
      await adminCall(ctx, {
        url: options.url,
        dataDir: options.dataDir,
        method: 'DELETE',
        path: `/v1/admin/tenants/${encodeURIComponent(tenantId)}`,
        inProcess: async (runtime) => {
          const { deleteLocalTenant } = await import('../../local/server/nightly-routes.js');
          return deleteLocalTenant(runtime, tenantId);
        },
      });
    });
}
