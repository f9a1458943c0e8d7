/**
 * The Firehose stand-in of local mode. `putRecords` appends each record's JSON lines to a buffer
 * file of its (tenant, dt) and fsyncs it before resolving, so an accepted record survives a crash,
 * as one accepted by Firehose does. `flush` turns buffers into gzip JSON-lines objects of the lake
 * at `raw/tenant_id=T/dt=D/<bufferId>.json.gz`, the layout Firehose's dynamic partitioning writes
 * on AWS. The key comes from the buffer id, so a flush repeated after a crash overwrites the same
 * object instead of adding a copy; the buffer file is removed only after the object is stored.
 *
 *   <dir>/<tenant>.<dt>.<bufferId>.ndjson   open and sealed buffers (none of the parts has a dot)
 */
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { partitionPrefix } from '../../domain/layout.js';
import type { Clock } from '../../ports/clock.js';
import {
  DeliveryError,
  type DeliveryRecord,
  type DeliveryStream,
  FIREHOSE_LIMITS,
} from '../../ports/delivery-stream.js';
import type { ObjectStore } from '../../ports/object-store.js';
import { ensureDirs, isNotFound, SerialQueue, syncDir } from './fs-durable.js';

const gzip = promisify(gzipCallback);

export interface LocalDeliveryStreamOptions {
  /** Folder of the buffer files. */
  dir: string;
  store: ObjectStore;
  clock?: Clock;
  /** Firehose buffering hints: a buffer is flushed once it reaches either. */
  bufferBytes?: number;
  bufferAgeMs?: number;
}

export interface FlushResult {
  objects: number;
  events: number;
  bytes: number;
  keys: string[];
}

interface StreamBuffer {
  tenantId: string;
  dt: string;
  bufferId: string;
  path: string;
  createdAt: number;
  bytes: number;
}

export class LocalDeliveryStream implements DeliveryStream {
  readonly dir: string;
  private readonly store: ObjectStore;
  private readonly now: () => number;
  private readonly bufferBytes: number;
  private readonly bufferAgeMs: number;
  private readonly serial = new SerialQueue();
  /** Open buffers by `tenant/dt`; sealed ones (left by a crash) are only on disk. */
  private readonly open = new Map<string, StreamBuffer>();
  private started: Promise<void> | undefined;

  constructor(options: LocalDeliveryStreamOptions) {
    this.dir = options.dir;
    this.store = options.store;
    const clock = options.clock;
    this.now = clock ? () => clock.now().getTime() : Date.now;
    this.bufferBytes = options.bufferBytes ?? 5 * 1024 * 1024;
    this.bufferAgeMs = options.bufferAgeMs ?? 60_000;
  }

  /** Creates the folder and flushes every buffer a previous process left behind. Idempotent. */
  start(): Promise<void> {
    this.started ??= (async () => {
      await ensureDirs(this.dir);
      await this.serial.run(() => this.flushLeftovers());
    })();
    return this.started;
  }

  /**
   * Any number of records, like the Firehose adapter (which chunks calls itself); a single record
   * over Firehose's 1,000 KiB is refused as Firehose would refuse it.
   */
  async putRecords(records: readonly DeliveryRecord[]): Promise<void> {
    for (const record of records) {
      if (record.data.byteLength > FIREHOSE_LIMITS.maxRecordBytes)
        throw new DeliveryError(`a record is over ${FIREHOSE_LIMITS.maxRecordBytes} bytes`, 1);
      partitionPrefix('raw', record.tenantId, record.dt); // throws on a bad tenant or date
    }
    await this.start();
    await this.serial.run(async () => {
      const touched = new Set<StreamBuffer>();
      try {
        for (const record of records) {
          if (record.data.byteLength === 0) continue;
          const buffer = await this.bufferFor(record.tenantId, record.dt);
          const data = endsWithNewline(record.data) ? record.data : concat(record.data, '\n');
          const handle = await open(buffer.path, 'a');
          try {
            await handle.write(data);
            await handle.sync();
          } finally {
            await handle.close();
          }
          buffer.bytes += data.byteLength;
          touched.add(buffer);
        }
      } catch (error) {
        throw new DeliveryError('local delivery stream could not write a buffer', records.length, {
          cause: error,
        });
      }
      // A new buffer file's directory entry must be durable too.
      if (touched.size) await syncDir(this.dir);
    });
  }

  /** Flushes the buffers over the size or age threshold, or all of them with `force`. */
  flush(options: { force?: boolean } = {}): Promise<FlushResult> {
    return this.start().then(() =>
      this.serial.run(async () => {
        const result: FlushResult = { objects: 0, events: 0, bytes: 0, keys: [] };
        const now = this.now();
        for (const [key, buffer] of [...this.open]) {
          const due =
            options.force || buffer.bytes >= this.bufferBytes || now - buffer.createdAt >= this.bufferAgeMs;
          if (!due) continue;
          this.open.delete(key);
          try {
            add(result, await this.deliver(buffer));
          } catch (error) {
            // Still on disk: keep it open, so the next flush (or append) finds it again.
            this.open.set(key, buffer);
            throw error;
          }
        }
        return result;
      }),
    );
  }

  /** Buffers not yet delivered, for status pages and tests. */
  pendingBuffers(): number {
    return this.open.size;
  }

  private async bufferFor(tenantId: string, dt: string): Promise<StreamBuffer> {
    const key = `${tenantId}/${dt}`;
    const existing = this.open.get(key);
    if (existing) return existing;
    const createdAt = this.now();
    const bufferId = `local-${String(createdAt).padStart(15, '0')}-${randomBytes(6).toString('hex')}`;
    const buffer: StreamBuffer = {
      tenantId,
      dt,
      bufferId,
      path: join(this.dir, `${tenantId}.${dt}.${bufferId}.ndjson`),
      createdAt,
      bytes: 0,
    };
    this.open.set(key, buffer);
    return buffer;
  }

  /** Stores one buffer as a gzip object (whole lines only), then removes the buffer file. */
  private async deliver(buffer: StreamBuffer): Promise<FlushResult> {
    let raw: Buffer;
    try {
      raw = await readFile(buffer.path);
    } catch (error) {
      if (isNotFound(error)) return { objects: 0, events: 0, bytes: 0, keys: [] };
      throw error;
    }
    // A crash during an append can leave a torn last line; its putRecords never resolved, so the
    // sender retries it. Keep whole lines only.
    const end = raw.lastIndexOf(0x0a) + 1;
    const body = raw.subarray(0, end);
    const result: FlushResult = { objects: 0, events: 0, bytes: 0, keys: [] };
    if (body.byteLength > 0) {
      const key = `${partitionPrefix('raw', buffer.tenantId, buffer.dt)}${buffer.bufferId}.json.gz`;
      await this.store.put(key, await gzip(body), {
        contentType: 'application/x-ndjson',
        contentEncoding: 'gzip',
      });
      result.objects = 1;
      result.events = countLines(body);
      result.bytes = body.byteLength;
      result.keys.push(key);
    }
    await rm(buffer.path, { force: true });
    await syncDir(this.dir);
    return result;
  }

  private async flushLeftovers(): Promise<FlushResult> {
    const result: FlushResult = { objects: 0, events: 0, bytes: 0, keys: [] };
    for (const name of (await readdir(this.dir)).sort()) {
      const match = /^([a-z0-9][a-z0-9-]{2,62})\.(\d{4}-\d{2}-\d{2})\.([A-Za-z0-9-]+)\.ndjson$/.exec(name);
      if (!match?.[1] || !match[2] || !match[3]) continue;
      const path = join(this.dir, name);
      const info = await stat(path);
      add(
        result,
        await this.deliver({
          tenantId: match[1],
          dt: match[2],
          bufferId: match[3],
          path,
          createdAt: info.mtimeMs,
          bytes: info.size,
        }),
      );
    }
    return result;
  }
}

function add(into: FlushResult, part: FlushResult): void {
  into.objects += part.objects;
  into.events += part.events;
  into.bytes += part.bytes;
  into.keys.push(...part.keys);
}

function endsWithNewline(data: Uint8Array): boolean {
  return data.byteLength > 0 && data[data.byteLength - 1] === 0x0a;
}

function concat(data: Uint8Array, suffix: string): Uint8Array {
  return Buffer.concat([data, Buffer.from(suffix)]);
}

function countLines(body: Uint8Array): number {
  let lines = 0;
  for (const byte of body) if (byte === 0x0a) lines++;
  return lines;
}
