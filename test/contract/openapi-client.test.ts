/**
 * The search API client (shared/client, used by the console and `oplake search`) takes its shapes
 * from docs/openapi.yaml: each field list of api-types.ts must be exactly the document's
 * properties, and each enum its enum, so neither can drift from the other.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import * as api from '../../shared/client/api-types.js';

interface Schema {
  properties?: Record<string, Schema & { enum?: string[] }>;
  required?: string[];
  enum?: string[];
  items?: Schema;
  $ref?: string;
}

const doc = parse(readFileSync(new URL('../../docs/openapi.yaml', import.meta.url), 'utf8')) as {
  components: { schemas: Record<string, Schema> };
};
const schema = (name: string): Schema => {
  const found = doc.components.schemas[name];
  if (!found) throw new Error(`docs/openapi.yaml has no schema ${name}`);
  return found;
};
const keys = (name: string) => Object.keys(schema(name).properties ?? {}).sort();
const sorted = (list: readonly string[]) => [...list].sort();

describe('the API client agrees with docs/openapi.yaml', () => {
  it.each([
    ['Filters', api.FILTER_KEYS],
    ['SearchRequest', api.SEARCH_REQUEST_KEYS],
    ['AggregateRequest', api.AGGREGATE_REQUEST_KEYS],
    ['Event', api.EVENT_FIELDS],
    ['Stats', api.STATS_KEYS],
    ['SearchAnswer', api.SEARCH_ANSWER_KEYS],
    ['Running', api.RUNNING_KEYS],
    ['CancelAnswer', api.CANCEL_KEYS],
  ] as const)('%s has exactly the fields the client knows', (name, fields) => {
    expect(keys(name)).toEqual(sorted(fields));
  });

  it('an Event has every field, as the document requires', () => {
    expect(sorted(schema('Event').required ?? [])).toEqual(sorted(api.EVENT_FIELDS));
  });

  it('aggregate rows have the fields the client reads', () => {
    const rows = schema('AggregateAnswer').properties?.rows?.items;
    expect(Object.keys(rows?.properties ?? {}).sort()).toEqual(sorted(api.AGGREGATE_ROW_KEYS));
  });

  it('enums match: event types, groupBy (with hour), metric, error codes, cancel states', () => {
    expect(schema('CancelAnswer').properties?.status?.enum).toEqual(['cancelled', 'succeeded', 'failed']);
    expect(schema('EventType').enum).toEqual([...api.EVENT_TYPES]);
    const aggregate = schema('AggregateRequest').properties ?? {};
    expect(aggregate.groupBy?.enum).toEqual([...api.GROUP_BYS]);
    expect(aggregate.metric?.enum).toEqual([...api.METRICS]);
    const code = schema('Error').properties?.error?.properties?.code;
    expect(sorted(code?.enum ?? [])).toEqual(sorted(api.ERROR_CODES));
  });
});
