/**
 * One contract suite for the query registry and the concurrency limiter, run against every
 * adapter: in memory (local mode) and DynamoDB (moto_server, started by jest's globalSetup).
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  DynamoDbConcurrencyLimiter,
  DynamoDbQueryRegistry,
} from '../../shared/adapters/aws/dynamodb-query-registry.js';
import { motoClientConfig, uniqueName } from '../../shared/adapters/aws/moto-kit.js';
import type { Clock } from '../../shared/ports/clock.js';
import { InMemoryConcurrencyLimiter, InMemoryQueryRegistry } from '../../shared/query/memory.js';
import type { ConcurrencyLimiter, QueryRecord, QueryRegistry } from '../../shared/query/ports.js';
import { parseSearchRequest } from '../../shared/query/request.js';

interface Backend {
  name: string;
  registry: (clock: Clock) => Promise<QueryRegistry>;
  limiter: (max: number, leaseMs: number, clock: Clock) => Promise<ConcurrencyLimiter>;
}

let client: DynamoDBClient;
async function table(): Promise<string> {
  const name = uniqueName('oplake-queries');
  await client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return name;
}

const BACKENDS: Backend[] = [
  {
    name: 'memory',
    registry: async (clock) => new InMemoryQueryRegistry(clock),
    limiter: async (max, leaseMs, clock) =>
      new InMemoryConcurrencyLimiter({ maxConcurrent: max, leaseMs, clock }),
  },
  {
    name: 'dynamodb',
    registry: async (clock) => new DynamoDbQueryRegistry(client, await table(), clock),
    limiter: async (max, leaseMs, clock) =>
      new DynamoDbConcurrencyLimiter(client, await table(), { maxConcurrent: max, leaseMs, clock }),
  },
];

beforeAll(() => {
  client = new DynamoDBClient(motoClientConfig());
});

for (const backend of BACKENDS) {
  describe(`${backend.name}: query registry and concurrency limiter`, () => {
    it('keeps a query with its tenant and gives its lease back once', async () => {
      // Prepare
      let now = Date.parse('2026-11-24T00:00:00Z');
      const clock = { now: () => new Date(now) };
      const registry = await backend.registry(clock);
      const record: QueryRecord = {
        queryId: 'q-123',
        tenantId: 'acme-corp',
        kind: 'search',
        query: parseSearchRequest({ from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' }).query,
        leaseId: 'lease-1',
        expiresAt: now + 60_000,
      };
      // Act
      await registry.put(record);
      const got = await registry.get('q-123');
      const first = await registry.takeLease('q-123');
      const second = await registry.takeLease('q-123');
      const missing = await registry.get('q-999');
      now += 61_000;
      const expired = await registry.get('q-123');
      // Assess
      expect(got).toEqual(record);
      expect([first, second]).toEqual(['lease-1', null]);
      expect(missing).toBeNull();
      expect(expired).toBeNull();
    });

    it('marks a query cancelled for good, and ignores an unknown one', async () => {
      const now = Date.parse('2026-11-24T00:00:00Z');
      const registry = await backend.registry({ now: () => new Date(now) });
      const record: QueryRecord = {
        queryId: 'q-7',
        tenantId: 'acme-corp',
        kind: 'aggregate',
        query: parseSearchRequest({ from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' }).query,
        leaseId: 'lease-7',
        expiresAt: now + 60_000,
      };
      await registry.put(record);
      const before = await registry.get('q-7');
      await registry.markCancelled('q-7');
      await registry.markCancelled('q-7');
      await registry.markCancelled('q-999');
      const after = await registry.get('q-7');
      const lease = await registry.takeLease('q-7');
      expect(before?.cancelled).toBeUndefined();
      expect(after).toEqual({ ...record, cancelled: true });
      expect(lease).toBe('lease-7');
      expect(await registry.get('q-999')).toBeNull();
    });

    it('limits concurrent queries per tenant, frees slots on release and on expiry', async () => {
      // Prepare
      let now = Date.parse('2026-11-24T00:00:00Z');
      const limiter = await backend.limiter(2, 60_000, { now: () => new Date(now) });
      // Act
      const a = await limiter.acquire('acme-corp');
      await limiter.acquire('acme-corp');
      const refused = limiter.acquire('acme-corp');
      const other = await limiter.acquire('beta-inc');
      // Assess
      await expect(refused).rejects.toMatchObject({ status: 429, code: 'too_many_queries' });
      expect(typeof other).toBe('string');
      await limiter.release('acme-corp', a);
      const c = await limiter.acquire('acme-corp');
      expect(typeof c).toBe('string');
      await expect(limiter.acquire('acme-corp')).rejects.toMatchObject({ code: 'too_many_queries' });
      now += 61_000;
      await expect(limiter.acquire('acme-corp')).resolves.toEqual(expect.any(String));
    });

    it('never hands out more slots than the limit under concurrent acquires', async () => {
      const limiter = await backend.limiter(3, 60_000, { now: () => new Date() });
      const attempts = await Promise.allSettled(
        Array.from({ length: 8 }, () => limiter.acquire('gamma-ltd')),
      );
      const granted = attempts.filter((a) => a.status === 'fulfilled').length;
      expect(granted).toBeLessThanOrEqual(3);
      expect(granted).toBeGreaterThanOrEqual(1);
    });
  });
}
