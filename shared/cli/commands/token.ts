/** `oplake token`: prints one token signed with the data directory's key set, and nothing else. */
import { type Command, Option } from 'commander';
import { FileKeySetSource } from '../../auth/file-key-set.js';
import { parseTtl, SCOPES, type Scope, signToken } from '../../auth/tokens.js';
import { type CliContext, CliError } from '../context.js';

interface TokenOptions {
  tenant?: string;
  scope: Scope;
  device?: string;
  ttl: string;
  dataDir: string;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('token')
    .description('print a token signed with the local key set (created on first use)')
    .option('--tenant <id>', 'tenant id (required for ingest and search; none for admin)')
    .addOption(new Option('--scope <scope>', 'token scope').choices([...SCOPES]).makeOptionMandatory())
    .option('--device <id>', 'device id (sub) of an ingest token')
    .option('--ttl <duration>', 'lifetime, e.g. 30d, 12h, 15m', '30d')
    .option('--data-dir <dir>', 'local data directory holding keys.json', ctx.config.dataDir)
    .addHelpText(
      'after',
      '\nExample:\n  oplake token --tenant acme-corp --scope ingest --device pc-001 --ttl 30d',
    )
    .action(async (options: TokenOptions) => {
      if (options.scope === 'admin' && options.tenant !== undefined)
        throw new CliError('--scope admin takes no --tenant (an admin token is not tied to a tenant)');
      if (options.scope !== 'admin' && options.tenant === undefined)
        throw new CliError(`--scope ${options.scope} needs --tenant`);
      if (options.device !== undefined && options.scope !== 'ingest')
        throw new CliError('--device is only for ingest tokens');
      let token: string;
      try {
        const keySet = await new FileKeySetSource(options.dataDir).load();
        token = await signToken(keySet, {
          tenantId: options.scope === 'admin' ? null : (options.tenant ?? null),
          scope: options.scope,
          ttlSeconds: parseTtl(options.ttl),
          ...(options.device !== undefined ? { sub: options.device } : {}),
        });
      } catch (error) {
        if (error instanceof RangeError) throw new CliError(error.message);
        throw error;
      }
      ctx.out(token);
    });
}
