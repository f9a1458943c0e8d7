/**
 * The ingest core with the AWS idempotency store: Powertools' DynamoDBPersistenceLayer on a
 * moto_server table (partition key `id`), as handler.ts wires it.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { motoClientConfig, uniqueName } from '../../shared/adapters/aws/moto-kit.js';
import { appEvent, jsonBatch, type Kit, makeKit, urlEvent } from './test-kit.js';

describe('ingest with DynamoDB idempotency (moto_server)', () => {
  let kit: Kit;
  let client: DynamoDBClient;
  let table: string;

  beforeEach(async () => {
    client = new DynamoDBClient(motoClientConfig());
    table = uniqueName('oplake-idempotency');
    await client.send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    kit = await makeKit({
      idempotency: new DynamoDBPersistenceLayer({ tableName: table, keyAttr: 'id', awsSdkV3Client: client }),
    });
  });

  afterEach(async () => {
    await kit.cleanup();
  });

  it('replays the first answer and enqueues once', async () => {
    // Prepare
    const token = await kit.token({ sub: 'pc-001' });
    const body = jsonBatch('b-ddb', [appEvent(1), appEvent(2), { type: 'bogus' }]);
    // Act
    const first = await kit.handle(urlEvent(body, { token }));
    const second = await kit.handle(urlEvent(body, { token }));
    // Assess
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toBe(first.body);
    expect(kit.queue.sent).toHaveLength(1);
    const items = await client.send(new ScanCommand({ TableName: table }));
    expect(items.Items).toHaveLength(1);
    expect(items.Items?.[0]?.status?.S).toBe('COMPLETED');
  });

  it('answers 409 to the same batch id with another payload', async () => {
    // Prepare
    const token = await kit.token({ sub: 'pc-001' });
    await kit.handle(urlEvent(jsonBatch('b-ddb-2', [appEvent(1)]), { token }));
    // Act
    const conflict = await kit.handle(urlEvent(jsonBatch('b-ddb-2', [appEvent(9)]), { token }));
    // Assess
    expect(conflict.status).toBe(409);
    expect((conflict.json.error as { code: string }).code).toBe('idempotency_conflict');
    expect(kit.queue.sent).toHaveLength(1);
  });

  it('stores no completed record when the enqueue fails, so the retry is accepted', async () => {
    // Prepare
    const token = await kit.token({ sub: 'pc-001' });
    const body = jsonBatch('b-ddb-3', [appEvent(1)]);
    kit.queue.failNext = 1;
    // Act
    const failed = await kit.handle(urlEvent(body, { token }));
    const afterFailure = await client.send(new ScanCommand({ TableName: table }));
    const retried = await kit.handle(urlEvent(body, { token }));
    // Assess
    expect(failed.status).toBe(500);
    expect(afterFailure.Items).toHaveLength(0);
    expect(retried.status).toBe(202);
    expect(kit.queue.sent).toHaveLength(1);
  });
});
