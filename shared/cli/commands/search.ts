/**
 * `oplake search`: POST /v1/search from the terminal. A table by default; `--json` (one document)
 * or `--ndjson` (one event a line) for pipes; `--all` follows nextCursor to the last page.
 */
import { type Command, Option } from 'commander';
import type { ApiEvent } from '../../client/api-types.js';
import type { CliContext } from '../context.js';
import { textTable } from '../table.js';
import { withClient } from './query-call.js';
import { addQueryOptions, intOption, type QueryOptions, scopeOf } from './query-options.js';

interface SearchOptions extends QueryOptions {
  limit: number;
  order: 'asc' | 'desc';
  cursor?: string;
  all?: boolean;
}

export function register(program: Command, ctx: CliContext): void {
  const command = program
    .command('search')
    .description("search a tenant's events (POST /v1/search with a search token)");
  addQueryOptions(command, ctx)
    .option('--limit <n>', 'events a page (1-1000)', intOption('--limit', 1, 1000), 100)
    .addOption(new Option('--order <order>', 'by time').choices(['desc', 'asc']).default('desc'))
    .option('--cursor <cursor>', 'continue from a previous page (its nextCursor)')
    .option('--all', 'follow the cursor to the last page')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  export OPLAKE_TOKEN=$(npx oplake token --tenant acme-corp --scope search)',
        '  oplake search --since 7d --type web --user yamada --domain example.co.jp',
        '  oplake search --from 2026-11-01T00:00:00+09:00 --to 2026-11-08T00:00:00+09:00 --text budget --all --ndjson',
        '',
        'Exit code 0 on success, 1 on a bad option or when the request fails (the reason on stderr),',
        '130 on Ctrl-C (a running query is cancelled on the server first).',
      ].join('\n'),
    )
    .action(async (options: SearchOptions) => {
      const request = {
        ...scopeOf(options),
        limit: options.limit,
        order: options.order,
        cursor: options.cursor ?? null,
      };
      await withClient(ctx, options, async (client, run) => {
        const events: ApiEvent[] = [];
        let nextCursor: string | null = null;
        if (options.all) {
          for await (const page of client.pages(request, run)) {
            if (options.ndjson) for (const e of page.events) ctx.out(JSON.stringify(e));
            else events.push(...page.events);
          }
        } else {
          const page = await client.search(request, run);
          nextCursor = page.nextCursor;
          if (options.ndjson) for (const e of page.events) ctx.out(JSON.stringify(e));
          else events.push(...page.events);
        }
        if (options.json) ctx.out(JSON.stringify({ events, nextCursor }));
        else if (!options.ndjson) {
          ctx.out(table(events));
          // A cursor is bound to its query, so the next page needs the same range (not a new --since).
          const next = nextCursor
            ? `; next page: --from ${request.from} --to ${request.to} --cursor ${nextCursor}`
            : '';
          ctx.err(`${events.length} event(s)${next}`);
        }
      });
    });
}

function table(events: readonly ApiEvent[]): string {
  return textTable(
    ['TIME (UTC)', 'TYPE', 'DEVICE', 'USER', 'HOST', 'APP', 'DOMAIN', 'TITLE / URL / PATH'],
    events.map((e) => [
      e.ts,
      e.type,
      e.deviceId,
      e.user ?? '',
      e.host ?? '',
      e.app ?? '',
      e.domain ?? '',
      e.title ?? e.url ?? e.path ?? e.op ?? '',
    ]),
  );
}
