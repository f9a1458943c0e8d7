import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import sqlParser from 'node-sql-parser';
import { STORED_COLUMNS } from '../domain/event.js';
import {
  athenaCtas,
  athenaDropTable,
  athenaSelect,
  COLUMN_LIST,
  duckDbCopy,
  hasControlCharacter,
  sqlString,
} from './sql.js';

const { Parser } = sqlParser;
const parser = new Parser();
const INPUT = {
  database: 'oplake',
  rawTable: 'raw_events',
  eventsTable: 'events_v2',
  tempTable: 'tmp_conv_20261124t010000000z_ab12cd34_acme_2026_11_23',
  stagingLocation: 's3://oplake-lake-123/staging/20261124T010000000Z-ab12cd34/tenant_id=acme/dt=2026-11-23/',
  tenantId: 'acme',
  dt: '2026-11-23',
  snapshotTime: '2026-11-24T00:59:58.000Z',
};

/** positionalEventId in Trino (shared/domain/ids.ts): the id an event without one was given. */
const DERIVED =
  'concat(\'p-\', substr(to_base64url(sha256(to_utf8(concat("tenant_id", chr(0), "device_id", chr(0), "batch_id", chr(0), CAST("event_pos" AS VARCHAR))))), 1, 32))';

/**
 * The stored columns with ts and received_at brought to timestamp(3) (the Parquet layout) and the
 * whole event id: raw/ keeps a position only when it derives the id; Parquet derives NULL ids.
 */
const typed = (cast: (c: string) => string, fromText: boolean) =>
  STORED_COLUMNS.map((c) => {
    if (c === 'ts' || c === 'received_at') return `${cast(c)} AS "${c}"`;
    if (c === 'event_pos' && fromText)
      return `CASE WHEN "event_id" = ${DERIVED} THEN "event_pos" END AS "event_pos"`;
    if (c === 'event_id' && !fromText) return `coalesce("event_id", ${DERIVED}) AS "event_id"`;
    return `"${c}"`;
  }).join(', ');
const TYPED_FROM_RAW = typed((c) => `CAST(from_iso8601_timestamp("${c}") AS timestamp(3))`, true);
const TYPED_FROM_EVENTS = typed((c) => `CAST("${c}" AS timestamp(3))`, false);

/** Written: the id NULL where the position derives it. */
const WRITTEN = COLUMN_LIST.replace(
  '"event_id"',
  'CASE WHEN "event_pos" IS NULL THEN "event_id" END AS "event_id"',
);

const GOLDEN_SELECT = `SELECT ${WRITTEN}
FROM (
  SELECT ${COLUMN_LIST},
    row_number() OVER (PARTITION BY "device_id", "event_id" ORDER BY "received_at" ASC, "batch_id" ASC) AS "rn"
  FROM (SELECT ${TYPED_FROM_RAW} FROM "oplake"."raw_events"
  WHERE "tenant_id" = ? AND "dt" = ? AND "$file_modified_time" <= from_iso8601_timestamp(?)
  UNION ALL
  SELECT ${TYPED_FROM_EVENTS} FROM "oplake"."events_v2"
  WHERE "tenant_id" = ? AND "dt" = ?) AS "merged"
) AS "ranked"
WHERE "rn" = 1
ORDER BY "ranked"."ts" ASC, "ranked"."event_id" ASC, "ranked"."device_id" ASC`;

describe('athena conversion SQL', () => {
  it('matches the golden SELECT and binds tenant, date and snapshot time as parameters', () => {
    const { sql, params } = athenaSelect(INPUT);

    expect(sql).toBe(GOLDEN_SELECT);
    expect(params).toEqual(['acme', '2026-11-23', '2026-11-24T00:59:58.000Z', 'acme', '2026-11-23']);
    expect((sql.match(/\?/g) ?? []).length).toBe(params.length);
    expect(sql).not.toContain('acme');
  });

  it('parses with the trino dialect, reading the two tables', () => {
    const { sql } = athenaSelect(INPUT);

    const ast = parser.astify(sql, { database: 'trino' });
    const tables = parser.tableList(sql, { database: 'trino' });

    expect(Array.isArray(ast) ? ast[0]?.type : ast.type).toBe('select');
    expect(tables.sort()).toEqual(['select::oplake::events_v2', 'select::oplake::raw_events']);
  });

  it('merges a day of the previous layout through its own text-typed table, parsed like raw', () => {
    const { sql, params } = athenaSelect({ ...INPUT, legacyTable: 'events' });

    const legacyBranch = `  UNION ALL\n  SELECT ${TYPED_FROM_RAW} FROM "oplake"."events"\n  WHERE "tenant_id" = ? AND "dt" = ?) AS "merged"`;
    expect(sql).toContain(legacyBranch);
    expect(params).toEqual([
      'acme',
      '2026-11-23',
      '2026-11-24T00:59:58.000Z',
      'acme',
      '2026-11-23',
      'acme',
      '2026-11-23',
    ]);
    expect((sql.match(/\?/g) ?? []).length).toBe(params.length);
    expect(parser.tableList(sql, { database: 'trino' }).sort()).toEqual([
      'select::oplake::events',
      'select::oplake::events_v2',
      'select::oplake::raw_events',
    ]);
    expect(() => athenaSelect({ ...INPUT, legacyTable: 'events; DROP' })).toThrow(RangeError);
  });

  it('selects every stored column, in order', () => {
    expect(COLUMN_LIST).toBe(STORED_COLUMNS.map((c) => `"${c}"`).join(', '));
  });

  it('wraps the SELECT in a CTAS to a fresh staging location, Parquet and ZSTD', () => {
    const { sql, params } = athenaCtas(INPUT);

    const [head, ...rest] = sql.split('\n');
    expect(head).toBe(`CREATE TABLE "oplake"."${INPUT.tempTable}"`);
    expect(rest.slice(0, 5)).toEqual([
      'WITH (',
      "  format = 'PARQUET',",
      "  write_compression = 'ZSTD',",
      `  external_location = '${INPUT.stagingLocation}'`,
      ') AS',
    ]);
    expect(rest.slice(5).join('\n')).toBe(GOLDEN_SELECT);
    expect(sql).not.toMatch(/partitioned_by|bucketed_by/);
    expect(params).toHaveLength(5);
  });

  it('refuses a location outside staging/ and unsafe identifiers', () => {
    expect(() =>
      athenaCtas({ ...INPUT, stagingLocation: 's3://oplake-lake-123/parquet/tenant_id=acme/' }),
    ).toThrow(RangeError);
    expect(() => athenaCtas({ ...INPUT, tempTable: 'x"; DROP TABLE events; --' })).toThrow(RangeError);
    expect(() => athenaSelect({ ...INPUT, tenantId: "acme' OR 1=1" })).toThrow(RangeError);
  });

  it('drops the temporary table with DDL quoting', () => {
    expect(athenaDropTable('oplake', INPUT.tempTable)).toBe(
      `DROP TABLE IF EXISTS \`oplake\`.\`${INPUT.tempTable}\``,
    );
  });
});

describe('duckdb conversion SQL', () => {
  it('reads raw gzip JSON lines with fixed column types plus current Parquet, writes Parquet ZSTD', () => {
    const sql = duckDbCopy({
      tenantId: 'acme',
      dt: '2026-11-23',
      rawFiles: ['/lake/raw/a.json.gz'],
      parquetFiles: ['/lake/parquet/old.parquet'],
      targetDir: '/lake/staging/r/tenant_id=acme/dt=2026-11-23',
    });

    expect(sql).toMatch(/^COPY \(/);
    expect(sql).toContain(
      "read_json(['/lake/raw/a.json.gz'], format = 'newline_delimited', compression = 'gzip'",
    );
    expect(sql).toContain("read_parquet(['/lake/parquet/old.parquet'], union_by_name = true)");
    // Files written before event_pos get it (NULL) from the empty relation in front.
    expect(sql).toContain(
      'FROM (VALUES (CAST(NULL AS INTEGER))) AS "none"("event_pos") WHERE false UNION ALL BY NAME FROM read_parquet(',
    );
    expect(sql).toContain("'event_pos': 'INTEGER'");
    expect(sql).toContain('UNION ALL');
    expect(sql).toContain('\'acme\' AS "tenant_id"');
    expect(sql).toContain('CAST("ts" AS TIMESTAMP_MS) AS "ts"');
    expect(sql).toContain('CAST("received_at" AS TIMESTAMP_MS) AS "received_at"');
    expect(sql).toContain('FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 16384');
    expect(sql).toContain('PARTITION BY "device_id", "event_id" ORDER BY "received_at" ASC, "batch_id" ASC');
  });

  it('leaves out the Parquet branch for a first conversion', () => {
    const sql = duckDbCopy({
      tenantId: 'acme',
      dt: '2026-11-23',
      rawFiles: ['/r.gz'],
      parquetFiles: [],
      targetDir: '/t',
    });

    expect(sql).not.toContain('read_parquet');
  });

  it('quotes any string into one literal', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !hasControlCharacter(s)),
        (s) => {
          const literal = sqlString(s);
          expect(literal.startsWith("'") && literal.endsWith("'")).toBe(true);
          expect(literal.slice(1, -1).replaceAll("''", '')).not.toContain("'");
        },
      ),
    );
  });
});
