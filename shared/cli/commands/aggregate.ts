/**
 * `oplake aggregate`: POST /v1/aggregate from the terminal: counts and total durationMs by a key
 * (top N), or per UTC day or hour. A table by default; `--json` or `--ndjson` for pipes.
 */
import { type Command, Option } from 'commander';
import { GROUP_BYS, METRICS } from '../../client/api-types.js';
import type { CliContext } from '../context.js';
import { textTable } from '../table.js';
import { withClient } from './query-call.js';
import { addQueryOptions, intOption, type QueryOptions, scopeOf } from './query-options.js';

interface AggregateOptions extends QueryOptions {
  groupBy: (typeof GROUP_BYS)[number];
  metric: (typeof METRICS)[number];
  limit?: number;
}

export function register(program: Command, ctx: CliContext): void {
  const command = program
    .command('aggregate')
    .description("count a tenant's events by a key, day or hour (POST /v1/aggregate with a search token)");
  addQueryOptions(command, ctx)
    .addOption(
      new Option('--group-by <key>', 'what to count by').choices([...GROUP_BYS]).makeOptionMandatory(),
    )
    .addOption(new Option('--metric <metric>', 'what orders the rows').choices([...METRICS]).default('count'))
    .option(
      '--limit <n>',
      'top N rows (1-1000, default 20; not for day and hour)',
      intOption('--limit', 1, 1000),
    )
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  oplake aggregate --since 30d --type app --group-by app --metric durationMs',
        '  oplake aggregate --since 2d --group-by hour --user yamada --json',
        '',
        'Exit code 0 on success, 1 on a bad option or when the request fails (the reason on stderr),',
        '130 on Ctrl-C (a running query is cancelled on the server first).',
      ].join('\n'),
    )
    .action(async (options: AggregateOptions) => {
      const request = {
        ...scopeOf(options),
        groupBy: options.groupBy,
        metric: options.metric,
        ...(options.limit !== undefined ? { limit: options.limit } : {}),
      };
      await withClient(ctx, options, async (client, run) => {
        const { rows } = await client.aggregate(request, run);
        if (options.json) ctx.out(JSON.stringify({ rows }));
        else if (options.ndjson) for (const row of rows) ctx.out(JSON.stringify(row));
        else {
          ctx.out(
            textTable(
              [options.groupBy.toUpperCase(), 'COUNT', 'DURATION MS'],
              rows.map((r) => [r.key ?? '(none)', String(r.count), String(r.durationMs)]),
            ),
          );
          ctx.err(`${rows.length} row(s)`);
        }
      });
    });
}
