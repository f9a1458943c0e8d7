/**
 * One contract for every MessageQueue adapter: the local disk queue and SqsMessageQueue against
 * moto_server. The port is the producer side; each adapter brings its consumer (`drain`) the
 * way the split function receives: body plus MessageGroupId.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { motoClientConfig, uniqueName } from '../../shared/adapters/aws/moto-kit.js';
import { SqsMessageQueue } from '../../shared/adapters/aws/sqs-message-queue.js';
import { DiskQueue } from '../../shared/adapters/local/disk-queue.js';
import { MAX_QUEUE_MESSAGE_BYTES, type MessageQueue } from '../../shared/ports/queue.js';

interface Delivered {
  body: string;
  groupId: string | undefined;
}

interface QueueUnderTest {
  name: string;
  create(): Promise<{ queue: MessageQueue; drain(): Promise<Delivered[]>; dispose(): Promise<void> }>;
}

const disk: QueueUnderTest = {
  name: 'DiskQueue',
  async create() {
    const dir = await mkdtemp(join(tmpdir(), 'oplake-queue-contract-'));
    const queue = new DiskQueue(dir);
    return {
      queue,
      async drain() {
        const out: Delivered[] = [];
        for (;;) {
          const messages = await queue.receive(10);
          if (messages.length === 0) return out;
          for (const m of messages) {
            out.push({ body: m.body, groupId: m.groupId });
            await queue.ack(m.receiptHandle);
          }
        }
      },
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  },
};

const sqs: QueueUnderTest = {
  name: 'SqsMessageQueue (moto_server)',
  async create() {
    const client = new SQSClient(motoClientConfig());
    const created = await client.send(
      new CreateQueueCommand({
        QueueName: uniqueName('oplake-contract'),
        Attributes: { MaximumMessageSize: String(MAX_QUEUE_MESSAGE_BYTES) },
      }),
    );
    const queueUrl = created.QueueUrl ?? '';
    return {
      queue: new SqsMessageQueue(client, queueUrl),
      async drain() {
        const out: Delivered[] = [];
        for (let emptyPolls = 0; emptyPolls < 2; ) {
          const page = await client.send(
            new ReceiveMessageCommand({
              QueueUrl: queueUrl,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 0,
              MessageSystemAttributeNames: ['MessageGroupId'],
            }),
          );
          const messages = page.Messages ?? [];
          if (messages.length === 0) emptyPolls++;
          for (const m of messages) {
            out.push({ body: m.Body ?? '', groupId: m.Attributes?.MessageGroupId });
            await client.send(
              new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }),
            );
          }
        }
        return out;
      },
      async dispose() {
        await client.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
        client.destroy();
      },
    };
  },
};

const QUEUES: readonly QueueUnderTest[] = [disk, sqs];

for (const adapter of QUEUES) {
  describe(`${adapter.name}: MessageQueue contract`, () => {
    let queue: MessageQueue;
    let drain: () => Promise<Delivered[]>;
    let dispose: () => Promise<void>;

    beforeAll(async () => {
      ({ queue, drain, dispose } = await adapter.create());
    });
    afterAll(async () => {
      await dispose();
    });

    it('delivers every message sent, once, with its body and group id', async () => {
      const sent: Delivered[] = [];
      for (let i = 0; i < 12; i++) {
        const message = {
          body: JSON.stringify({ i, text: `日本語 ${i}` }),
          groupId: i % 3 === 0 ? 'beta-inc' : 'acme-corp',
        };
        await queue.send(message);
        sent.push(message);
      }
      const got = await drain();
      const key = (d: Delivered) => `${d.groupId}|${d.body}`;
      expect(got.map(key).sort()).toEqual(sent.map(key).sort());
    });

    it('takes a body of MAX_QUEUE_MESSAGE_BYTES (1 MiB)', async () => {
      const body = 'x'.repeat(MAX_QUEUE_MESSAGE_BYTES);
      await queue.send({ body, groupId: 'acme-corp' });
      const got = await drain();
      expect(got).toHaveLength(1);
      expect(got[0]?.body.length).toBe(MAX_QUEUE_MESSAGE_BYTES);
    });
  });
}
