/**
 * The options `oplake search` and `oplake aggregate` share: where to ask (--url, --token), the
 * range (--from/--to or --since) and every filter of the contract. Bad values are a CliError
 * before any request is sent.
 */
import { type Command, Option } from 'commander';
import { EVENT_TYPES, type EventType, type Filters } from '../../client/api-types.js';
import { parseDuration, toLocalIso } from '../../client/time-range.js';
import { type CliContext, CliError } from '../context.js';

export interface QueryOptions {
  url: string;
  token?: string;
  dataDir: string;
  from?: string;
  to?: string;
  since?: string;
  type: string[];
  user?: string;
  host?: string;
  device?: string;
  app?: string;
  domain?: string;
  text?: string;
  json?: boolean;
  ndjson?: boolean;
}

export interface Scope {
  from: string;
  to: string;
  types?: EventType[];
  filters?: Filters;
}

const collect = (value: string, previous: string[]) => [...previous, ...value.split(',').filter(Boolean)];

export function addQueryOptions(command: Command, ctx: CliContext): Command {
  return command
    .option(
      '--url <url>',
      'server or deployed search function URL (env OPLAKE_URL)',
      ctx.apiUrl ?? `http://127.0.0.1:${ctx.config.port}`,
    )
    .option('--token <jwt>', 'search token (env OPLAKE_TOKEN); oplake token --tenant T --scope search')
    .option(
      '--data-dir <dir>',
      'local data directory (in-process run when no server answers)',
      ctx.config.dataDir,
    )
    .option('--from <time>', 'start, RFC 3339 with an offset (2026-11-01T00:00:00+09:00), inclusive')
    .option('--to <time>', 'end, RFC 3339 with an offset, exclusive (default: now)')
    .option('--since <duration>', 'the last 30m, 12h, 7d, 2w (instead of --from; default 24h)')
    .option(
      '--type <type>',
      `event type, repeatable or comma-separated (${EVENT_TYPES.join(', ')})`,
      collect,
      [],
    )
    .option('--user <user>', 'exact user')
    .option('--host <host>', 'exact host')
    .option('--device <id>', 'exact device id')
    .option('--app <app>', 'application, exact and case-insensitive')
    .option('--domain <domain>', 'the domain and its subdomains')
    .option('--text <text>', 'case-insensitive substring of title, url, path or app')
    .addOption(new Option('--json', 'one JSON document on stdout').conflicts('ndjson'))
    .addOption(new Option('--ndjson', 'one JSON object a line on stdout'));
}

/** The request's range, types and filters from the options. */
export function scopeOf(options: QueryOptions, now = new Date()): Scope {
  if (options.since !== undefined && options.from !== undefined)
    throw new CliError('give --since or --from, not both');
  const to = options.to ?? toLocalIso(now);
  let from = options.from;
  if (from === undefined) {
    const ms = parseDuration(options.since ?? '24h');
    if (ms === null)
      throw new CliError(`--since must be a duration such as 30m, 12h, 7d or 2w: ${options.since}`);
    const end = Date.parse(to);
    if (Number.isNaN(end)) throw new CliError(`--to must be an RFC 3339 time with an offset: ${to}`);
    from = toLocalIso(new Date(end - ms));
  }
  const unknown = options.type.filter((t) => !(EVENT_TYPES as readonly string[]).includes(t));
  if (unknown.length > 0)
    throw new CliError(`--type must be among ${EVENT_TYPES.join(', ')}: ${unknown.join(', ')}`);
  const filters: Filters = {};
  if (options.user !== undefined) filters.user = options.user;
  if (options.host !== undefined) filters.host = options.host;
  if (options.device !== undefined) filters.deviceId = options.device;
  if (options.app !== undefined) filters.app = options.app;
  if (options.domain !== undefined) filters.domain = options.domain;
  if (options.text !== undefined) filters.text = options.text;
  return {
    from,
    to,
    ...(options.type.length > 0 ? { types: [...new Set(options.type)] as EventType[] } : {}),
    ...(Object.keys(filters).length > 0 ? { filters } : {}),
  };
}

/** A positive integer option. */
export function intOption(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new CliError(`${name} must be an integer from ${min} to ${max}: ${value}`);
    return n;
  };
}
