/**
 * The search benchmark's data set (issue 8): skewed tenant sizes (one of 50 PCs, three of 10,
 * twenty of 1-3; 2,000 events a PC a day; thousands of distinct titles and URLs over a dozen
 * common apps and domains), 90 days, plus one 2-PC tenant with a year. Generated once by DuckDB
 * (hash-based, so deterministic) and cached under test/bench/.cache/ (git-ignored), as two lakes
 * of the same events:
 *   raw/        never converted: every day gzip JSON lines under raw/ (the "before" baseline);
 *   converted/  what the nightly conversion leaves: Parquet in the conversion's layout for every
 *               day but the last two, which are raw, with 1% resends inside raw/ and 0.5% late
 *               resends of the day before (raw/ next to Parquet: the contested days);
 *   intraday/   what intraday runs leave (intradayLake, built beside them on first use).
 * The agents send no eventId: ids are derived from tenant, device, batch and position as ingest
 * does (shared/domain/ids.ts), raw lines carry the position, Parquet stores only the position.
 */
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { link as linkFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { PARQUET_COLUMN_LIST, PARQUET_COPY_OPTIONS, sqlString } from '../../shared/conversion/sql.js';
import { STORED_COLUMNS } from '../../shared/domain/event.js';
import { positionalEventIdSql } from '../../shared/domain/ids.js';
import { partitionPrefix } from '../../shared/domain/layout.js';

export const LAST_DAY = '2026-11-23';
// v2: converted Parquet under parquet-v2/ (the layout's own prefix). v3: positional ids (as
// ingest derives them for agents that send no eventId), the position stored instead in Parquet.
const VERSION = 'search-v3';

/** Events a batch: an agent's batch of 200 events (the event's position is its index in it). */
const BATCH_EVENTS = 200;

export interface BenchTenant {
  id: string;
  pcs: number;
  days: number;
}

export const BENCH_TENANTS: readonly BenchTenant[] = [
  { id: 'large-01', pcs: 50, days: 90 },
  ...[1, 2, 3].map((n) => ({ id: `mid-0${n}`, pcs: 10, days: 90 })),
  ...Array.from({ length: 20 }, (_, n) => ({
    id: `small-${String(n + 1).padStart(2, '0')}`,
    pcs: (n % 3) + 1,
    days: 90,
  })),
  { id: 'year-01', pcs: 2, days: 365 },
];

export interface BenchLakes {
  raw: string;
  converted: string;
  eventsPerPcDay: number;
}

const here = dirname(fileURLToPath(import.meta.url));

export function dayBefore(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
}

const APPS = [
  'excel.exe',
  'winword.exe',
  'chrome.exe',
  'msedge.exe',
  'outlook.exe',
  'teams.exe',
  'code.exe',
  'explorer.exe',
  'powerpnt.exe',
  'slack.exe',
  'acrord32.exe',
  'zoom.exe',
];
const DOMAINS = [
  'intra.example.co.jp',
  'mail.example.com',
  'docs.vendor.io',
  'news.site.jp',
  'github.com',
  'www.google.com',
  'portal.office.com',
  'wiki.example.co.jp',
  'jira.example.co.jp',
  'stackoverflow.com',
  'www.youtube.com',
  'shop.example.jp',
];
const WORDS = [
  'budget',
  'report',
  'meeting',
  'invoice',
  'design',
  'plan',
  'wiki',
  'review',
  'sales',
  'roadmap',
];

const list = (values: readonly string[]) => `[${values.map(sqlString).join(', ')}]`;

/** One tenant-day's events, as raw/ holds them (timestamps as RFC 3339 text). */
export function daySql(tenant: BenchTenant, tenantIndex: number, dt: string, perPc: number): string {
  const h = (salt: string) => `hash(${tenantIndex}, ${sqlString(dt)}, p, i, '${salt}')`;
  const u = (salt: string) => `((${h(salt)} % 1000000) / 1000000.0)`;
  // Skewed picks: a few apps and domains take most events.
  const skew = (values: readonly string[], salt: string) =>
    `${list(values)}[1 + floor(${values.length} * pow(${u(salt)}, 2))::INT]`;
  return `
    WITH base AS (
      SELECT p, i,
        ${h('type')} % 100 AS tr,
        TIMESTAMP '${dt} 00:00:00' + to_milliseconds((${h('ts')} % 86400000)::BIGINT) AS t,
        ${skew(APPS, 'app')} AS app_pick,
        ${skew(DOMAINS, 'dom')} AS domain_pick,
        ${list(WORDS)}[1 + (${h('w1')} % ${WORDS.length})::INT] AS w1,
        ${list(WORDS)}[1 + (${h('w2')} % ${WORDS.length})::INT] AS w2,
        ${h('n')} % 20000 AS n
      FROM range(${tenant.pcs}) AS pcs(p), range(${perPc}) AS seq(i)
    ), typed AS (
      SELECT *, CASE WHEN tr < 45 THEN 'app' WHEN tr < 80 THEN 'web' WHEN tr < 92 THEN 'file'
        WHEN tr < 95 THEN 'logon' ELSE 'print' END AS type,
        concat('PC-', ${tenantIndex}, '-', lpad(p::VARCHAR, 3, '0')) AS dev,
        concat('b-', '${dt}', '-', p, '-', i // ${BATCH_EVENTS}) AS bat,
        (i % ${BATCH_EVENTS})::INTEGER AS pos
      FROM base
    )
    SELECT
      -- as ingest derives ids for events sent without one (shared/domain/ids.ts)
      ${positionalEventIdSql('duckdb', { tenant: sqlString(tenant.id), device: 'dev', batch: 'bat', pos: 'pos' })} AS event_id,
      ${sqlString(tenant.id)} AS tenant_id, ${sqlString(dt)} AS dt, type,
      strftime(t, '%Y-%m-%dT%H:%M:%S.%gZ') AS ts,
      dev AS device_id,
      concat('user', ${tenantIndex}, '.', p) AS "user",
      concat('HOST-', ${tenantIndex}, '-', p) AS host,
      CASE WHEN type IN ('app', 'web', 'print') THEN app_pick END AS app,
      CASE type WHEN 'web' THEN concat(w1, ' ', w2, ' ', n, ' - ', domain_pick)
        WHEN 'app' THEN concat(w1, '_', n, '.xlsx - ', app_pick) ELSE concat(w1, ' ', w2) END AS title,
      CASE WHEN type = 'web' THEN concat('https://', domain_pick, '/', w1, '/', n, '?ref=', i % 7) END AS url,
      CASE WHEN type = 'web' THEN domain_pick END AS domain,
      CASE WHEN type IN ('file', 'print') THEN concat('C:\\Users\\user', p, '\\Documents\\', w1, '_', n, '.docx') END AS path,
      CASE type WHEN 'file' THEN ['open', 'modify', 'save', 'delete'][1 + (n % 4)::INT]
        WHEN 'logon' THEN ['logon', 'logoff'][1 + (n % 2)::INT] WHEN 'print' THEN 'print' END AS op,
      CASE WHEN type IN ('app', 'web') THEN (${h('dur')} % 600000)::BIGINT END AS duration_ms,
      CASE WHEN n % 10 = 0 THEN concat('{"pid":', n, '}') END AS attrs,
      bat AS batch_id,
      strftime(t + to_milliseconds((5000 + ${h('rcv')} % 60000)::BIGINT), '%Y-%m-%dT%H:%M:%S.%gZ') AS received_at,
      pos AS event_pos
    FROM typed`;
}

/**
 * A resend of a share of a day's events: the same batch delivered again an hour later (a
 * positional id is its batch's: a copy of the event is a copy of its batch).
 */
function resendSql(day: string, share: number): string {
  const cols = STORED_COLUMNS.map((c) => {
    if (c === 'received_at')
      return `strftime(CAST(received_at AS TIMESTAMP) + INTERVAL 1 HOUR, '%Y-%m-%dT%H:%M:%S.%gZ') AS received_at`;
    return `"${c}"`;
  }).join(', ');
  return `SELECT ${cols} FROM (${day}) WHERE hash(event_id, 'resend') % 1000 < ${Math.round(share * 1000)}`;
}

const typedColumns = STORED_COLUMNS.map((c) =>
  c === 'ts' || c === 'received_at' ? `CAST("${c}" AS TIMESTAMP_MS) AS "${c}"` : `"${c}"`,
).join(', ');

/** Rows of `select` (raw/'s shape) as the conversion writes them: typed, sorted by (ts, id, device), derived ids as NULL. */
async function writeConverted(connection: DuckDBConnection, select: string, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await connection.run(
    `COPY (SELECT ${PARQUET_COLUMN_LIST} FROM (SELECT ${typedColumns} FROM (${select})) AS "rows" ` +
      `ORDER BY "rows"."ts", "rows"."event_id", "rows"."device_id") TO ${sqlString(path)} (${PARQUET_COPY_OPTIONS})`,
  );
}

/** gzip (level 6, as Firehose's GZIP) of a JSON lines file into `to`; the plain file is removed. */
async function gzipFile(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  await pipeline(createReadStream(from), createGzip({ level: 6 }), createWriteStream(to));
  await rm(from);
}

/** The cached lakes, generated on first use (minutes; progress on `progress`). */
export async function benchLakes(progress: (message: string) => void): Promise<BenchLakes> {
  const perPc = Number(process.env.OPLAKE_BENCH_EVENTS_PER_PC ?? 2000);
  const root = join(here, '.cache', `${VERSION}-${perPc}`);
  const lakes = { raw: join(root, 'raw'), converted: join(root, 'converted'), eventsPerPcDay: perPc };
  if (existsSync(join(root, 'done'))) return lakes;
  await rm(root, { recursive: true, force: true });
  const started = Date.now();
  await withGenerator(join(root, 'tmp'), async (connection, json) => {
    let done = 0;
    const total = BENCH_TENANTS.reduce((sum, t) => sum + t.days, 0);
    for (const [index, tenant] of BENCH_TENANTS.entries()) {
      for (let back = tenant.days - 1; back >= 0; back--) {
        const dt = dayBefore(LAST_DAY, back);
        await loadDay(connection, tenant, index, dt, perPc);
        const file = (lake: string, area: 'raw' | 'parquet', name: string) =>
          join(lake, partitionPrefix(area, tenant.id, dt), name);
        await json('SELECT * FROM day', file(lakes.raw, 'raw', 'bench-0.json.gz'));
        if (back < 2) {
          // Today and yesterday: not converted yet, with resends inside raw/.
          await json(
            `SELECT * FROM day UNION ALL ${resendSql('SELECT * FROM day', 0.01)}`,
            file(lakes.converted, 'raw', 'bench-0.json.gz'),
          );
        } else {
          await writeConverted(
            connection,
            'SELECT * FROM day',
            file(lakes.converted, 'parquet', 'bench-run-0.parquet'),
          );
          if (back === 2) {
            // Late resends of the day before yesterday, arrived after last night's run.
            await json(
              resendSql('SELECT * FROM day', 0.005),
              file(lakes.converted, 'raw', 'bench-late.json.gz'),
            );
          }
        }
        done++;
        if (done % 100 === 0) {
          const seconds = Math.round((Date.now() - started) / 1000);
          progress(`search data set: ${done}/${total} tenant-days (${seconds} s)`);
        }
      }
    }
  });
  await writeFile(join(root, 'done'), `${new Date().toISOString()}\n`);
  return lakes;
}

/**
 * One generator run: a DuckDB instance, the gzip JSON writer over `tmp` (removed after), every
 * gzip finished before it returns.
 */
async function withGenerator(
  tmp: string,
  work: (connection: DuckDBConnection, json: (select: string, to: string) => Promise<void>) => Promise<void>,
): Promise<void> {
  await mkdir(tmp, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '2GB' });
  const connection = await instance.connect();
  const { json, drain } = jsonWriter(connection, tmp);
  try {
    await work(connection, json);
    await drain();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  await rm(tmp, { recursive: true, force: true });
}

/** A tenant-day's events (daySql) into the temporary table `day`. */
async function loadDay(
  connection: DuckDBConnection,
  tenant: BenchTenant,
  index: number,
  dt: string,
  perPc: number,
): Promise<void> {
  await connection.run(`CREATE OR REPLACE TEMP TABLE day AS ${daySql(tenant, index + 1, dt, perPc)}`);
}

/** gzip JSON lines of a SELECT into raw/ files; gzip runs on libuv's pool while DuckDB writes the next. */
function jsonWriter(connection: DuckDBConnection, tmp: string) {
  const pending = new Set<Promise<void>>();
  let n = 0;
  const json = async (select: string, to: string) => {
    const plain = join(tmp, `${n++}.json`);
    await connection.run(`COPY (${select}) TO ${sqlString(plain)} (FORMAT json)`);
    while (pending.size >= 3) await Promise.race(pending);
    const job = gzipFile(plain, to).finally(() => pending.delete(job));
    pending.add(job);
  };
  return { json, drain: async () => void (await Promise.all(pending)) };
}

/** The hour of LAST_DAY the intraday lake's last intraday run converted up to. */
export const INTRADAY_CUT = `${LAST_DAY}T23:00:00.000Z`;

/**
 * The converted lake as it stands with intraday runs (docs/nightly.md, "Intraday runs"), just
 * before the next one: yesterday converted whole (its resends deduplicated), today converted up
 * to the last run at 23:00 (rows received before it), raw/ holding what arrived since (rows and
 * resends received from 23:00 on, some of them copies of converted rows); older days as in the
 * converted lake (the late resends of the day before yesterday wait for the night). Built from
 * the converted lake (hard links) and the same generated days; cached beside it.
 */
export async function intradayLake(lakes: BenchLakes, progress: (message: string) => void): Promise<string> {
  const root = dirname(lakes.converted);
  const lake = join(root, 'intraday');
  if (existsSync(join(root, 'done-intraday'))) return lake;
  await rm(lake, { recursive: true, force: true });
  const hot = new Set([LAST_DAY, dayBefore(LAST_DAY, 1)]);
  const link = async (dir: string): Promise<void> => {
    for (const entry of await readdir(join(lakes.converted, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!hot.has(entry.name.replace(/^dt=/, ''))) await link(path);
      } else {
        await mkdir(join(lake, dir), { recursive: true });
        await linkFile(join(lakes.converted, path), join(lake, path));
      }
    }
  };
  await link('.');
  const cut = sqlString(INTRADAY_CUT);
  await withGenerator(join(root, 'tmp-intraday'), async (connection, json) => {
    for (const [index, tenant] of BENCH_TENANTS.entries()) {
      progress(`search data set, intraday lake: ${tenant.id}`);
      for (const back of [1, 0]) {
        const dt = dayBefore(LAST_DAY, back);
        await loadDay(connection, tenant, index, dt, lakes.eventsPerPcDay);
        const file = (area: 'raw' | 'parquet', name: string) =>
          join(lake, partitionPrefix(area, tenant.id, dt), name);
        if (back === 1) {
          await writeConverted(connection, 'SELECT * FROM day', file('parquet', 'bench-run-1.parquet'));
          continue;
        }
        await writeConverted(
          connection,
          `SELECT * FROM day WHERE received_at < ${cut}`,
          file('parquet', 'bench-run-1.parquet'),
        );
        await json(
          `SELECT * FROM day WHERE received_at >= ${cut} UNION ALL ` +
            `SELECT * FROM (${resendSql('SELECT * FROM day', 0.01)}) WHERE received_at >= ${cut}`,
          file('raw', 'bench-0.json.gz'),
        );
      }
    }
  });
  await writeFile(join(root, 'done-intraday'), `${new Date().toISOString()}\n`);
  return lake;
}
