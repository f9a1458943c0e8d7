import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { canonicalJson, positionalEventId, positionalEventIdSql } from './ids.js';

/** tenant, device, batch, index: the contract's edges, and text past it (the SQL is UTF-8 whole). */
const AWKWARD: [string, string, string, number][] = [
  ['acme-corp', 'pc-001', 'b-000123', 0],
  ['acme-corp', 'pc-001', 'b-000123', 9_999],
  ['a00', 'A', '0', 1],
  ['z'.repeat(63), 'x'.repeat(128), 'y'.repeat(128), 9_998],
  ['acme-corp', 'PC.01:eth0@site_2-a', 'f47ac10b-58cc-4372-a567-0e02b2c3d479', 42],
  ['acme-corp', '端末-001', 'バッチ', 7],
  ['acme-corp', '\uFEFF', 'b\u00e9', 3],
  ['acme-corp', '😀 device', "o'neil", 100],
];

describe('positionalEventIdSql (DuckDB)', () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    connection = await instance.connect();
  });
  afterAll(() => {
    connection.closeSync();
    instance.closeSync();
  });

  /** The derivation over bound values, as a reader applies it to stored columns. */
  async function derive(rows: readonly [string, string, string, number][]): Promise<string[]> {
    const sql = positionalEventIdSql('duckdb', { tenant: 't', device: 'd', batch: 'b', pos: 'p' });
    const values = rows.map(() => '(?, ?, ?, CAST(? AS INTEGER))').join(', ');
    const reader = await connection.runAndReadAll(
      `SELECT encode(${sql}) AS id FROM (VALUES ${values}) AS v(t, d, b, p)`,
      rows.flatMap(([t, d, b, p]) => [t, d, b, String(p)]),
    );
    // encode(): bytes out, so nothing on the way drops or changes a character.
    return reader.getRowObjectsJS().map((r) => Buffer.from(r.id as Uint8Array).toString('utf8'));
  }

  it('equals positionalEventId byte for byte on awkward inputs, index 0 and 9,999', async () => {
    // Act
    const got = await derive(AWKWARD);
    // Assess
    expect(got).toEqual(AWKWARD.map(([t, d, b, i]) => positionalEventId(t, d, b, i)));
    expect(got[0]).toMatch(/^p-[A-Za-z0-9_-]{32}$/);
  });

  it('equals positionalEventId for any id the contract allows', async () => {
    const id = fc.stringMatching(/^[A-Za-z0-9._:@-]{1,128}$/);
    const tenant = fc.stringMatching(/^[a-z0-9][a-z0-9-]{2,62}$/);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(tenant, id, id, fc.integer({ min: 0, max: 9_999 })), {
          minLength: 1,
          maxLength: 20,
        }),
        async (rows) => {
          expect(await derive(rows)).toEqual(rows.map(([t, d, b, i]) => positionalEventId(t, d, b, i)));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('is NULL when the position is NULL (the id is stored)', async () => {
    const sql = positionalEventIdSql('duckdb', { tenant: "'t'", device: "'d'", batch: "'b'", pos: 'NULL' });
    const reader = await connection.runAndReadAll(`SELECT ${sql} IS NULL AS none`);
    expect(reader.getRowObjectsJS()).toEqual([{ none: true }]);
  });

  it('Trino: the same parts, to_base64url of sha256 over UTF-8, the first 32 characters', () => {
    expect(positionalEventIdSql('athena', { tenant: 't', device: 'd', batch: 'b', pos: 'p' })).toBe(
      "concat('p-', substr(to_base64url(sha256(to_utf8(concat(t, chr(0), d, chr(0), b, chr(0), CAST(p AS VARCHAR))))), 1, 32))",
    );
  });
});
/** The definition: JSON of a copy with object keys sorted at every depth (entries, sort, fromEntries). */
function reference(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
        a < b ? -1 : a > b ? 1 : 0,
      );
      return Object.fromEntries(entries.map(([k, x]) => [k, sortKeys(x)]));
    }
    return v;
  };
  return JSON.stringify(sortKeys(value));
}

describe('canonicalJson', () => {
  it('sorts keys at every depth, arrays in order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }, 'x'], é: null, Z: true })).toBe(
      '{"Z":true,"a":[{"c":2,"d":1},"x"],"b":1,"é":null}',
    );
  });

  it('writes what the definition writes for any JSON, odd keys included', () => {
    const key = fc.oneof(
      fc.string(),
      fc.constantFrom('__proto__', 'constructor', 'toJSON', '10', '9', '-1', '😀', 'a'),
    );
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue({ maxDepth: 1 }),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(key, tie('value'), { maxKeys: 5 }),
      ),
    })).value;
    fc.assert(
      fc.property(json, (value) => {
        // Through JSON.parse, as ingest meets it (own "__proto__" keys and all).
        const parsed: unknown = JSON.parse(JSON.stringify(value) ?? 'null');
        expect(canonicalJson(parsed)).toBe(reference(parsed));
      }),
      { numRuns: 3000 },
    );
  });
});
