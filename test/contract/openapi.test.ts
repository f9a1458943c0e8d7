/**
 * docs/openapi.yaml is the contract as built: these checks keep it true to the code's own
 * constants (error codes, limits, enums), so a change to one without the other fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { EVENT_TYPES } from '../../shared/domain/event.js';
import { LIMITS } from '../../shared/domain/limits.js';
import * as errors from '../../shared/errors.js';
import { AGGREGATE_LIMIT, GROUP_BYS, parseSearchRequest, SEARCH_LIMIT } from '../../shared/query/request.js';

interface Doc {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

const doc = parse(readFileSync(new URL('../../docs/openapi.yaml', import.meta.url), 'utf8')) as Doc;
const schema = (name: string) => doc.components.schemas[name] as Record<string, unknown>;
const prop = (name: string, field: string) =>
  (schema(name).properties as Record<string, Record<string, unknown>>)[field];

describe('docs/openapi.yaml', () => {
  it('lists exactly the error codes the code can answer', () => {
    // Prepare
    const fromCode = new Set<string>(['internal']);
    for (const value of Object.values(errors)) {
      if (typeof value === 'function' && value.prototype instanceof errors.ApiError) {
        const Ctor = value as unknown as new (message: string) => errors.ApiError;
        fromCode.add(new Ctor('probe').code);
      }
    }
    // Act
    const errorSchema = schema('Error').properties as Record<
      string,
      { properties: { code: { enum: string[] } } }
    >;
    const documented = new Set(errorSchema.error?.properties.code.enum);
    // Assess
    expect([...documented].sort()).toEqual([...fromCode].sort());
  });

  it('states the ingest limits the validator enforces', () => {
    expect(prop('Batch', 'events')?.maxItems).toBe(LIMITS.maxEventsPerBatch);
    expect(prop('IncomingEvent', 'title')?.maxLength).toBe(LIMITS.maxTitleChars);
    expect(prop('IncomingEvent', 'user')?.maxLength).toBe(LIMITS.maxShortFieldChars);
    expect(prop('IncomingEvent', 'url')?.maxLength).toBe(LIMITS.maxUrlChars);
    expect(prop('IncomingEvent', 'path')?.maxLength).toBe(LIMITS.maxPathChars);
  });

  it('names the event types the validator accepts', () => {
    expect(schema('EventType').enum).toEqual([...EVENT_TYPES]);
  });

  it('describes the sweep summary the sweeper answers, field for field', async () => {
    const { emptySourceSummary } = await import('../../shared/dlq/summary.js');
    expect(Object.keys(schema('SweepSourceSummary').properties as object).sort()).toEqual(
      Object.keys(emptySourceSummary()).sort(),
    );
    expect([...(schema('SweepSummary').required as string[])].sort()).toEqual([
      'alerts',
      'alertsSent',
      'archived',
      'dryRun',
      'redriven',
      'runId',
      'sources',
      'suppressedAlerts',
      'waiting',
    ]);
  });

  it('states the search and aggregate enums and defaults the parser applies', () => {
    expect(prop('AggregateRequest', 'groupBy')?.enum).toEqual([...GROUP_BYS]);
    expect(prop('AggregateRequest', 'limit')?.default).toBe(AGGREGATE_LIMIT.fallback);
    expect(prop('SearchRequest', 'limit')?.default).toBe(SEARCH_LIMIT.fallback);
    const parsed = parseSearchRequest({ from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' });
    expect(prop('SearchRequest', 'order')?.default).toBe(parsed.query.order);
  });

  it('documents an error answer for every status each route can give', () => {
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const statuses = Object.keys(operation.responses);
        expect({
          route: `${method} ${path}`,
          hasAuthErrors: statuses.includes('401') && statuses.includes('403'),
        }).toEqual({
          route: `${method} ${path}`,
          hasAuthErrors: true,
        });
      }
    }
  });
});

describe('docs/openapi.yaml usage route', () => {
  it('documents every column of a usage row', async () => {
    const { USAGE_COUNTERS } = await import('../../shared/usage/meter.js');
    const documented = Object.keys(schema('UsageRow').properties as Record<string, unknown>).sort();
    expect(documented).toEqual(['tenantId', 'day', 'rawBytes', 'parquetBytes', ...USAGE_COUNTERS].sort());
    expect(doc.paths['/v1/admin/usage']?.get?.responses['200']).toBeDefined();
  });
});
