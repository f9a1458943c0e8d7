/**
 * Search state on Lambda, in one DynamoDB table (partition key `pk` (S), TTL attribute `ttl`):
 *
 *   pk = query#<QueryExecutionId>  which tenant owns a query that answered 202 (GET is 404 for
 *                                  anyone else), what it was, the concurrency lease it holds, and
 *                                  `cancelled` once its tenant cancelled it (DELETE).
 *   pk = slots#<tenantId>          the tenant's concurrency leases: a map leaseId -> expiry (epoch
 *                                  ms) plus a version number.
 *
 * Why leases and not a counter: a Lambda that times out or crashes between "increment" and
 * "decrement" would leak a slot forever; a lease expires by itself (`leaseMs`, longer than a
 * search can run). Acquire = read, drop expired leases, refuse when the live ones reach the limit,
 * write back conditioned on the version read (optimistic concurrency; a lost race re-reads).
 * Release removes the lease and bumps the version, so a concurrent acquire cannot write it back.
 * DynamoDB TTL only cleans up forgotten items; correctness never depends on it.
 */

import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TooManyQueriesError } from '../../errors.js';
import { type Clock, systemClock } from '../../ports/clock.js';
import type { ConcurrencyLimiter, QueryKind, QueryRecord, QueryRegistry } from '../../query/ports.js';

const ttlOf = (epochMs: number) => Math.ceil(epochMs / 1000);

export class DynamoDbQueryRegistry implements QueryRegistry {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
    private readonly clock: Clock = systemClock,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async put(record: QueryRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: `query#${record.queryId}`,
          queryId: record.queryId,
          tenantId: record.tenantId,
          kind: record.kind,
          query: JSON.stringify(record.query),
          ...(record.leaseId === null ? {} : { leaseId: record.leaseId }),
          expiresAt: record.expiresAt,
          ...(record.cancelled ? { cancelled: true } : {}),
          ttl: ttlOf(record.expiresAt),
        },
      }),
    );
  }

  async get(queryId: string): Promise<QueryRecord | null> {
    const answer = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: `query#${queryId}` }, ConsistentRead: true }),
    );
    const item = answer.Item;
    if (!item || typeof item.tenantId !== 'string' || Number(item.expiresAt) <= this.clock.now().getTime())
      return null;
    return {
      queryId,
      tenantId: item.tenantId,
      kind: item.kind as QueryKind,
      query: JSON.parse(String(item.query)) as QueryRecord['query'],
      leaseId: typeof item.leaseId === 'string' ? item.leaseId : null,
      expiresAt: Number(item.expiresAt),
      ...(item.cancelled === true ? { cancelled: true } : {}),
    };
  }

  async takeLease(queryId: string): Promise<string | null> {
    try {
      const answer = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `query#${queryId}` },
          UpdateExpression: 'REMOVE leaseId',
          ConditionExpression: 'attribute_exists(leaseId)',
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      const lease = answer.Attributes?.leaseId;
      return typeof lease === 'string' ? lease : null;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return null;
      throw error;
    }
  }

  async markCancelled(queryId: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `query#${queryId}` },
          UpdateExpression: 'SET cancelled = :yes',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':yes': true },
        }),
      );
    } catch (error) {
      // An expired record is gone already: nothing left to mark.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

export interface DynamoDbLimiterOptions {
  maxConcurrent: number;
  /** A lease nobody releases frees itself after this long (longer than any search runs). */
  leaseMs: number;
  retryAfterSeconds?: number;
  /** Lost optimistic races retried before giving up with 429. Default 5. */
  maxRaces?: number;
  clock?: Clock;
}

export class DynamoDbConcurrencyLimiter implements ConcurrencyLimiter {
  private readonly doc: DynamoDBDocumentClient;
  private readonly clock: Clock;

  constructor(
    client: DynamoDBClient,
    private readonly table: string,
    private readonly options: DynamoDbLimiterOptions,
  ) {
    if (!Number.isInteger(options.maxConcurrent) || options.maxConcurrent < 1)
      throw new RangeError('maxConcurrent must be a positive integer');
    this.doc = DynamoDBDocumentClient.from(client);
    this.clock = options.clock ?? systemClock;
  }

  async acquire(tenantId: string): Promise<string> {
    const key = { pk: `slots#${tenantId}` };
    for (let race = 0; race <= (this.options.maxRaces ?? 5); race++) {
      const now = this.clock.now().getTime();
      const current = await this.doc.send(
        new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }),
      );
      const version = typeof current.Item?.version === 'number' ? current.Item.version : null;
      const leases: Record<string, number> = {};
      for (const [id, expires] of Object.entries((current.Item?.leases ?? {}) as Record<string, unknown>)) {
        if (Number(expires) > now) leases[id] = Number(expires);
      }
      if (Object.keys(leases).length >= this.options.maxConcurrent)
        throw this.busy(Object.keys(leases).length);
      const leaseId = randomUUID();
      leases[leaseId] = now + this.options.leaseMs;
      const latest = Math.max(...Object.values(leases));
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...key, leases, version: (version ?? 0) + 1, ttl: ttlOf(latest) + 3600 },
            ConditionExpression: version === null ? 'attribute_not_exists(pk)' : 'version = :v',
            ...(version === null ? {} : { ExpressionAttributeValues: { ':v': version } }),
          }),
        );
        return leaseId;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    throw this.busy(this.options.maxConcurrent);
  }

  async release(tenantId: string, leaseId: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `slots#${tenantId}` },
          UpdateExpression: 'REMOVE leases.#lease SET version = version + :one',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#lease': leaseId },
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private busy(live: number): TooManyQueriesError {
    return new TooManyQueriesError(
      `this tenant already runs ${live} queries (at most ${this.options.maxConcurrent}); retry later`,
      { retryAfterSeconds: this.options.retryAfterSeconds ?? 5 },
    );
  }
}
