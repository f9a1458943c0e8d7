/**
 * ObjectStore over one S3 bucket. Listing pages through ListObjectsV2; delete batches at most
 * 1,000 keys per DeleteObjects call (the S3 limit) and fails when S3 reports per-key errors;
 * a missing key reads as null (NoSuchKey), as the port says. A move is S3's: CopyObject of each
 * object, then the sources deleted in DeleteObjects batches (S3 has no rename).
 */
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ObjectInfo, ObjectMove, ObjectStore, PutOptions } from '../../ports/object-store.js';

export const MAX_DELETE_KEYS = 1000;

export class ObjectStoreError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ObjectStoreError';
  }
}

/** S3's answer for a key that is not there (GetObject's NoSuchKey, as a class or by name). */
export function isNoSuchKey(error: unknown): boolean {
  return error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey';
}

export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {}

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ...(options.contentType === undefined ? {} : { ContentType: options.contentType }),
        ...(options.contentEncoding === undefined ? {} : { ContentEncoding: options.contentEncoding }),
      }),
    );
  }

  async get(key: string): Promise<Uint8Array | null> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (answer.Body === undefined) return new Uint8Array();
      return await answer.Body.transformToByteArray();
    } catch (error) {
      if (isNoSuchKey(error)) return null;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    for await (const page of this.pages(prefix)) {
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined) continue;
        yield { key: item.Key, size: item.Size ?? 0, lastModified: item.LastModified ?? new Date(0) };
      }
    }
  }

  async listPrefixes(prefix: string): Promise<string[]> {
    const prefixes: string[] = [];
    for await (const page of this.pages(prefix, '/')) {
      for (const common of page.CommonPrefixes ?? []) {
        if (common.Prefix !== undefined) prefixes.push(common.Prefix);
      }
    }
    return prefixes.sort();
  }

  /** Every ListObjectsV2 page under a prefix, following continuation tokens. */
  private async *pages(prefix: string, delimiter?: string): AsyncIterable<ListObjectsV2CommandOutput> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(delimiter === undefined ? {} : { Delimiter: delimiter }),
          ...(token === undefined ? {} : { ContinuationToken: token }),
        }),
      );
      yield page;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    await this.client.send(
      new CopyObjectCommand({
        Bucket: this.bucket,
        Key: toKey,
        CopySource: `${this.bucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}`,
      }),
    );
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += MAX_DELETE_KEYS) {
      const chunk = keys.slice(start, start + MAX_DELETE_KEYS);
      const answer = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      const errors = answer.Errors ?? [];
      if (errors.length > 0) {
        const first = errors[0];
        throw new ObjectStoreError(
          `could not delete ${errors.length} of ${chunk.length} objects (first: ${first?.Key}: ${first?.Code} ${first?.Message})`,
        );
      }
    }
  }

  async move(moves: readonly ObjectMove[]): Promise<void> {
    for (const { from, to } of moves) await this.copy(from, to);
    await this.delete(moves.map((m) => m.from));
  }
}
