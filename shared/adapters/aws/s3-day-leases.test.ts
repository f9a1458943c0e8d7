import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { motoClientConfig, uniqueName } from './moto-kit.js';
import { leaseKey, S3DayLeases } from './s3-day-leases.js';

const T = 'tenant-a';
const D = '2026-11-24';

describe('S3DayLeases against moto_server (conditional writes)', () => {
  let client: S3Client;
  let bucket: string;
  let now: Date;
  const clock = { now: () => now };
  const leases = (ttlMs = 60_000) => new S3DayLeases(client, bucket, { ttlMs, clock });

  beforeAll(() => {
    client = new S3Client({ ...motoClientConfig(), forcePathStyle: true });
  });

  beforeEach(async () => {
    bucket = uniqueName('oplake-lake');
    now = new Date('2026-11-30T01:00:00.000Z');
    await client.send(
      new CreateBucketCommand({
        Bucket: bucket,
        CreateBucketConfiguration: { LocationConstraint: 'ap-northeast-1' },
      }),
    );
  });

  const stored = async () => {
    const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: leaseKey(T, D) }));
    return JSON.parse(await (answer.Body?.transformToString() ?? '')) as { owner: string; expiresAt: string };
  };

  it('one holder per tenant-day: a second acquire is refused until the first releases', async () => {
    const first = await leases().tryAcquire(T, D, 'run-1');
    expect(first).not.toBeNull();
    expect(await stored()).toEqual({ owner: 'run-1', expiresAt: '2026-11-30T01:01:00.000Z' });
    expect(await leases().tryAcquire(T, D, 'run-2')).toBeNull();
    // Another day, another tenant: their own leases.
    expect(await leases().tryAcquire(T, '2026-11-25', 'run-2')).not.toBeNull();
    expect(await leases().tryAcquire('tenant-b', D, 'run-2')).not.toBeNull();

    await first?.release();
    const second = await leases().tryAcquire(T, D, 'run-2');
    expect(second).not.toBeNull();
    expect((await stored()).owner).toBe('run-2');
  });

  it('many acquiring at once: exactly one wins', async () => {
    const won = await Promise.all(
      Array.from({ length: 12 }, (_, n) => leases().tryAcquire(T, D, `run-${n}`)),
    );
    expect(won.filter((lease) => lease !== null)).toHaveLength(1);
  });

  it('an expired lease (its holder crashed) is taken over by one taker, and the old holder cannot release it', async () => {
    const crashed = await leases().tryAcquire(T, D, 'crashed');
    expect(crashed).not.toBeNull();
    now = new Date(now.getTime() + 59_000);
    expect(await leases().tryAcquire(T, D, 'early')).toBeNull();
    now = new Date(now.getTime() + 2_000);
    const takers = await Promise.all([1, 2, 3].map((n) => leases().tryAcquire(T, D, `taker-${n}`)));
    const winners = takers.filter((lease) => lease !== null);
    expect(winners).toHaveLength(1);
    const owner = (await stored()).owner;
    expect(owner).toMatch(/^taker-/);
    // The crashed holder comes back and releases: the taker's lease stays.
    await crashed?.release();
    expect((await stored()).owner).toBe(owner);
    expect(await leases().tryAcquire(T, D, 'late')).toBeNull();
    await winners[0]?.release();
    expect(await leases().tryAcquire(T, D, 'late')).not.toBeNull();
  });

  it('an unreadable lease object counts as expired; bad tenant or day ids are refused before any call', async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: leaseKey(T, D), Body: 'not json' }));
    const lease = await leases().tryAcquire(T, D, 'run-1');
    expect(lease).not.toBeNull();
    expect((await stored()).owner).toBe('run-1');
    await expect(leases().tryAcquire('../x', D, 'run-1')).rejects.toThrow();
    await expect(leases().tryAcquire(T, '2026-13-40', 'run-1')).rejects.toThrow();
  });

  it('release twice is harmless, and a released day reads as free', async () => {
    const lease = await leases().tryAcquire(T, D, 'run-1');
    await lease?.release();
    await lease?.release();
    await expect(
      client.send(new GetObjectCommand({ Bucket: bucket, Key: leaseKey(T, D) })),
    ).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
  });
});
