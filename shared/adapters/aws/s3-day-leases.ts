/**
 * Tenant-day leases on S3 (shared/conversion/day-lease.ts): one small JSON object per held day,
 * `state/leases/conversion/tenant_id=T/dt=D.json` in the lake bucket, written with S3's
 * conditional writes so that two holders can never both win:
 *
 *   acquire   PutObject If-None-Match: *             only when nobody holds the day
 *   take over PutObject If-Match: <ETag read>        a lease past its expiry, only by one taker
 *   release   DeleteObject If-Match: <our ETag>      never deletes a lease another took over
 *
 * A lease expires `ttlMs` after it was taken (default 15 minutes, the longest a Lambda runs), so a
 * conversion that crashed holds its day that long at most. S3 answers a conditional write racing
 * another write to the same key with 409 ConditionalRequestConflict: it is retried. The lake's
 * lifecycle rule for `state/leases/` removes what a crash left (terraform/main.tf).
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DayLease, DayLeases } from '../../conversion/day-lease.js';
import { assertDate, assertTenant, PREFIX } from '../../domain/layout.js';
import { type Clock, systemClock } from '../../ports/clock.js';
import { isNoSuchKey } from './s3-object-store.js';

export const DEFAULT_LEASE_TTL_MS = 15 * 60_000;
const CONFLICT_RETRIES = 3;

interface LeaseBody {
  owner: string;
  expiresAt: string;
}

export function leaseKey(tenantId: string, dt: string): string {
  assertTenant(tenantId);
  assertDate(dt);
  return `${PREFIX.leases}conversion/tenant_id=${tenantId}/dt=${dt}.json`;
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/** The write lost to the condition (412), or to a concurrent conditional write (409). */
function lostRace(error: unknown): 'precondition' | 'conflict' | null {
  const status = statusOf(error);
  const name = (error as { name?: string }).name;
  if (status === 412 || name === 'PreconditionFailed') return 'precondition';
  if (status === 409 || name === 'ConditionalRequestConflict') return 'conflict';
  return null;
}

export class S3DayLeases implements DayLeases {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly options: { ttlMs?: number; clock?: Clock } = {},
  ) {}

  async tryAcquire(tenantId: string, dt: string, owner: string): Promise<DayLease | null> {
    const key = leaseKey(tenantId, dt);
    for (let attempt = 1; ; attempt++) {
      try {
        const etag = await this.write(key, owner, { IfNoneMatch: '*' });
        return this.leaseOf(key, etag);
      } catch (error) {
        const lost = lostRace(error);
        if (lost === null) throw error;
        if (lost === 'conflict' && attempt < CONFLICT_RETRIES) continue;
        if (lost === 'conflict') return null;
      }
      // Held: take it over only when it expired.
      const current = await this.read(key);
      if (current === null) {
        if (attempt < CONFLICT_RETRIES) continue; // released meanwhile: try again
        return null;
      }
      if (Date.parse(current.body.expiresAt) > this.now().getTime()) return null;
      try {
        const etag = await this.write(key, owner, { IfMatch: current.etag });
        return this.leaseOf(key, etag);
      } catch (error) {
        if (lostRace(error) !== null) return null; // another taker won
        throw error;
      }
    }
  }

  private now(): Date {
    return (this.options.clock ?? systemClock).now();
  }

  private async write(key: string, owner: string, condition: { IfNoneMatch?: string; IfMatch?: string }) {
    const body: LeaseBody = {
      owner,
      expiresAt: new Date(this.now().getTime() + (this.options.ttlMs ?? DEFAULT_LEASE_TTL_MS)).toISOString(),
    };
    const answer = await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: JSON.stringify(body),
        ContentType: 'application/json',
        ...condition,
      }),
    );
    if (!answer.ETag) throw new Error(`S3 returned no ETag for ${key}`);
    return answer.ETag;
  }

  private async read(key: string): Promise<{ body: LeaseBody; etag: string } | null> {
    let text: string;
    let etag: string | undefined;
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      text = (await answer.Body?.transformToString()) ?? '';
      etag = answer.ETag;
    } catch (error) {
      if (isNoSuchKey(error)) return null;
      throw error;
    }
    if (!etag) throw new Error(`S3 returned no ETag for ${key}`);
    // An unreadable lease counts as expired: it can only be taken over, never honoured.
    let body: Partial<LeaseBody> = {};
    try {
      body = JSON.parse(text) as Partial<LeaseBody>;
    } catch {}
    const expiresAt = typeof body.expiresAt === 'string' ? body.expiresAt : new Date(0).toISOString();
    return { body: { owner: String(body.owner ?? ''), expiresAt }, etag };
  }

  private leaseOf(key: string, etag: string): DayLease {
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        try {
          await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key, IfMatch: etag }));
        } catch (error) {
          // Taken over after it expired, or already gone: theirs now, nothing of ours to give back.
          if (lostRace(error) !== null || statusOf(error) === 404) return;
          throw error;
        }
      },
    };
  }
}
