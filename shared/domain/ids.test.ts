import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { canonicalJson } from './ids.js';

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
