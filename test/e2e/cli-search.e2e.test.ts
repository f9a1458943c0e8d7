/**
 * `oplake search` and `oplake aggregate` against the real dev server (every query past a zero
 * wait budget, so the CLI polls 202 answers), then in process once the server has stopped:
 * every option, table / JSON / NDJSON output, exit codes, Ctrl-C cancelling the running query.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { run } from '../../shared/cli/main.js';
import type { AggregateRow, ApiEvent } from '../../shared/client/api-types.js';
import {
  ACME,
  ACME_EVENTS,
  acmeEvents,
  BETA,
  BETA_EVENTS,
  seedWorld,
  token,
} from '../fixtures/console-world.js';
import { writeBigRaw } from '../fixtures/slow-lake.js';
import {
  type CliResult,
  freePort,
  runCli,
  type ServerProcess,
  startServer,
  stopServer,
} from './local-server.js';

let dataDir: string;
let server: ServerProcess;
let acme: string;
const now = new Date();
const world = acmeEvents(now);
const env = { OPLAKE_WAIT_BUDGET_MS: '0' };
/** A tenant with one slow day (test/fixtures/slow-lake.ts), for Ctrl-C. */
const SLOW = 'slow-corp';

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'oplake-cli-search-'));
  server = await startServer(dataDir, await freePort(), 30_000, env);
  await seedWorld(server.url, dataDir, now);
  acme = await token(dataDir, ACME, 'search');
}, 60_000);

afterAll(async () => {
  if (server) await stopServer(server, 'SIGTERM');
  await rm(dataDir, { recursive: true, force: true });
});

const vars = (extra: Record<string, string>) => ({
  ...env,
  OPLAKE_URL: server.url,
  OPLAKE_TOKEN: acme,
  OPLAKE_DATA_DIR: dataDir,
  ...extra,
});

/** The `oplake` bin as a child process: its real exit code and output. */
const bin = (args: string[], extra: Record<string, string> = {}) => runCli(args, vars(extra));

/** The CLI's entry (main.ts run()) in this process, with its environment: the same code, no start-up cost. */
async function cli(args: string[], extra: Record<string, string> = {}): Promise<CliResult> {
  const saved = { ...process.env };
  Object.assign(process.env, vars(extra));
  const out: string[] = [];
  const err: string[] = [];
  try {
    const code = await run(['node', 'oplake', ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, stdout: out.map((l) => `${l}\n`).join(''), stderr: err.map((l) => `${l}\n`).join('') };
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}
/** RFC 3339 in +09:00: the CLI passes any offset through. */
const inTokyo = (ms: number) => new Date(ms + 9 * 3_600_000).toISOString().replace('Z', '+09:00');
const lines = (text: string) => text.split('\n').filter((l) => l !== '');
const ids = (events: { eventId: string }[]) => events.map((e) => e.eventId);

describe('oplake search', () => {
  it('prints a table of the newest events, with the polling shown on stderr', async () => {
    const result = await bin(['search', '--since', '7d', '--type', 'web', '--user', 'yamada']);
    expect(result.code).toBe(0);
    const expected = world.filter((e) => e.type === 'web' && e.user === 'yamada');
    const out = lines(result.stdout);
    expect(out[0]).toMatch(
      /^TIME \(UTC\)\s+TYPE\s+DEVICE\s+USER\s+HOST\s+APP\s+DOMAIN\s+TITLE \/ URL \/ PATH$/,
    );
    expect(out).toHaveLength(expected.length + 1);
    expect(out[1]?.startsWith(expected[0]?.ts ?? '-')).toBe(true);
    expect(result.stderr).toMatch(/query \S+ running \(\d+ s\)\.\.\./);
    expect(result.stderr).toContain(`${expected.length} event(s)`);
  });

  it('pages with --limit and --cursor (--json), and --all follows the cursor (--ndjson)', async () => {
    const first = await cli(['search', '--since', '7d', '--limit', '10', '--type', 'app']);
    expect(first.code).toBe(0);
    const apps = world.filter((e) => e.type === 'app');
    expect(
      lines(first.stdout)
        .slice(1)
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(apps.slice(0, 10).map((e) => e.ts));
    // The hint repeats the exact range: a cursor is bound to its query.
    const hint = /next page: (--from \S+ --to \S+ --cursor \S+)/.exec(first.stderr)?.[1] ?? '';
    expect(hint).not.toBe('');
    const second = await cli(['search', '--limit', '10', '--type', 'app', '--json', ...hint.split(' ')]);
    expect(second.code).toBe(0);
    const page2 = JSON.parse(second.stdout) as { events: ApiEvent[]; nextCursor: string | null };
    expect(ids(page2.events)).toEqual(ids(apps.slice(10, 20)));
    expect(page2.nextCursor).not.toBeNull();

    const all = await cli(['search', '--since', '7d', '--limit', '40', '--all', '--ndjson']);
    expect(all.code).toBe(0);
    const events = lines(all.stdout).map((l) => JSON.parse(l) as ApiEvent);
    expect(ids(events)).toEqual(ids(world));
    expect(events).toHaveLength(ACME_EVENTS);
  });

  it('takes every filter, --from/--to, --order asc and the token by flag', async () => {
    const oldest = world[world.length - 1];
    const from = new Date(Date.parse(oldest?.ts ?? '') - 1000).toISOString().replace('Z', '+00:00');
    const to = inTokyo(now.getTime() + 60_000);
    const run = async (args: string[], pick: (e: (typeof world)[number]) => boolean) => {
      const result = await cli(
        ['search', '--from', from, '--to', to, '--all', '--json', '--order', 'asc', ...args],
        {
          OPLAKE_TOKEN: '',
        },
      );
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({
        args,
        code: 0,
        stderr: expect.any(String),
      });
      const got = ids((JSON.parse(result.stdout) as { events: ApiEvent[] }).events);
      expect({ args, got }).toEqual({ args, got: ids(world.filter(pick)).reverse() });
    };
    const t = ['--token', acme];
    await run([...t, '--host', 'PC-002'], (e) => e.host === 'PC-002');
    await run(
      [...t, '--device', 'pc-003', '--type', 'app,logon'],
      (e) => e.deviceId === 'pc-003' && (e.type === 'app' || e.type === 'logon'),
    );
    await run([...t, '--app', 'EXCEL.EXE'], (e) => e.app === 'excel.exe');
    await run(
      [...t, '--domain', 'example.com'],
      (e) => e.url?.startsWith('https://mail.example.com') ?? false,
    );
    await run([...t, '--text', 'REPORT-1'], (e) => e.path?.toLowerCase().includes('report-1') ?? false);
  });

  it("another tenant's token sees only its own events", async () => {
    const result = await cli(['search', '--since', '7d', '--all', '--ndjson'], {
      OPLAKE_TOKEN: await token(dataDir, BETA, 'search'),
    });
    const events = lines(result.stdout).map((l) => JSON.parse(l) as ApiEvent);
    expect(events).toHaveLength(BETA_EVENTS);
    expect(events.every((e) => e.eventId.startsWith('b-'))).toBe(true);
  });
});

describe('oplake aggregate', () => {
  it('prints top apps by usage time as a table, hours as JSON, days as NDJSON', async () => {
    const table = await cli([
      'aggregate',
      '--since',
      '7d',
      '--type',
      'app',
      '--group-by',
      'app',
      '--metric',
      'durationMs',
      '--limit',
      '2',
    ]);
    expect(table.code).toBe(0);
    const usage = new Map<string, number>();
    for (const e of world) if (e.app) usage.set(e.app, (usage.get(e.app) ?? 0) + (e.durationMs ?? 0));
    const top = [...usage.entries()].sort((a, b) => b[1] - a[1]).slice(0, 2);
    const out = lines(table.stdout);
    expect(out[0]).toMatch(/^APP\s+COUNT\s+DURATION MS$/);
    expect(out.slice(1).map((l) => [l.split(/\s+/)[0], Number(l.split(/\s+/)[2])])).toEqual(top);

    const from = now.getTime() - 2 * 86_400_000;
    const hours = await cli([
      'aggregate',
      '--from',
      inTokyo(from),
      '--to',
      inTokyo(now.getTime() + 1),
      '--group-by',
      'hour',
      '--json',
    ]);
    expect(hours.code).toBe(0);
    const rows = (JSON.parse(hours.stdout) as { rows: AggregateRow[] }).rows;
    const twoDays = world.filter((e) => Date.parse(e.ts) >= from);
    expect(rows.reduce((sum, r) => sum + r.count, 0)).toBe(twoDays.length);
    expect(rows.every((r) => /^\d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/.test(r.key ?? ''))).toBe(true);

    const days = await cli(['aggregate', '--since', '7d', '--group-by', 'day', '--user', 'sato', '--ndjson']);
    const dayRows = lines(days.stdout).map((l) => JSON.parse(l) as AggregateRow);
    expect(dayRows.reduce((sum, r) => sum + r.count, 0)).toBe(world.filter((e) => e.user === 'sato').length);
  });
});

describe('exit codes', () => {
  it.each([
    [['search'], { OPLAKE_TOKEN: '' }, /a search token is needed/],
    [['search', '--since', '7x'], {}, /--since must be a duration/],
    [['search', '--type', 'mail'], {}, /--type must be among/],
    [['search', '--since', '7d', '--from', '2026-11-01T00:00:00Z'], {}, /--since or --from, not both/],
    [['search', '--limit', '0'], {}, /--limit must be an integer from 1 to 1000/],
    [['aggregate', '--since', '7d'], {}, /required option '--group-by <key>'/],
    [['aggregate', '--since', '40d', '--group-by', 'hour'], {}, /400 invalid_request/],
    [['search', '--token', 'x.y.z'], {}, /401 unauthorized/],
  ] as const)('%j fails with exit code 1 and says why', async (args, extra, message) => {
    const result = await cli([...args], extra);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  it('a token of another scope is 403, an expired one 401', async () => {
    const ingest = await bin(['search'], { OPLAKE_TOKEN: await token(dataDir, ACME, 'ingest') });
    expect([ingest.code, ingest.stderr]).toEqual([1, expect.stringMatching(/403 forbidden/)]);
    const expired = await token(dataDir, ACME, 'search', 1);
    await new Promise((r) => setTimeout(r, 1100));
    const late = await cli(['search'], { OPLAKE_TOKEN: expired });
    expect([late.code, late.stderr]).toEqual([1, expect.stringMatching(/401 unauthorized/)]);
  });

  it('Ctrl-C while a query runs cancels it on the server (DELETE) and exits 130', async () => {
    // Prepare: a tenant whose one day is a large raw object: a text search for nothing runs seconds.
    await writeBigRaw(join(dataDir, 'lake'), SLOW, '2026-11-20', 300_000, 'big.jsonl');
    const slow = await token(dataDir, SLOW, 'search');
    const args = [
      'search',
      '--from',
      '2026-11-20T00:00:00Z',
      '--to',
      '2026-11-21T00:00:00Z',
      '--text',
      'nowhere',
    ];
    // Act: SIGINT as soon as the CLI shows the query running (202, polling).
    const result = await runCli(args, vars({ OPLAKE_TOKEN: slow }), 60_000, /query \S+ running/);
    // Assess
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/interrupted; the running query was cancelled/);
    expect(result.stdout).toBe('');
    const queryId = /query (\S+) running/.exec(result.stderr)?.[1] ?? '';
    const got = await fetch(`${server.url}/v1/search/${queryId}`, {
      headers: { authorization: `Bearer ${slow}` },
    });
    expect(got.status).toBe(410);
    expect(await got.json()).toMatchObject({ error: { code: 'query_cancelled' } });
  }, 90_000);

  it('runs in process over the data directory once no server answers', async () => {
    await stopServer(server, 'SIGTERM');
    const result = await bin(['search', '--since', '7d', '--limit', '5', '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('running in process');
    expect(ids((JSON.parse(result.stdout) as { events: ApiEvent[] }).events)).toEqual(ids(world.slice(0, 5)));
  });
});
