/** What the product needs of S3 (or of the local data directory). Keys follow domain/layout.ts. */
export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
}

export interface PutOptions {
  contentType?: string;
  contentEncoding?: string;
}

/** One object to move: its bytes end up under `to`, and `from` is gone. */
export interface ObjectMove {
  from: string;
  to: string;
}

export interface ObjectStore {
  put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<void>;
  /** The object's bytes, or null when there is none. */
  get(key: string): Promise<Uint8Array | null>;
  /** Every object under a prefix, in key order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** The next level of "folders" under a prefix (S3 delimiter `/`), e.g. `raw/tenant_id=acme/`. */
  listPrefixes(prefix: string): Promise<string[]>;
  copy(fromKey: string, toKey: string): Promise<void>;
  /** Deletes the keys that exist; missing keys are not an error. */
  delete(keys: readonly string[]): Promise<void>;
  /**
   * Moves objects (S3: every copy first, then DeleteObjects in batches of 1,000; local files: a
   * rename each, then an fsync of each folder moved into). Every object is under `to` before it is gone
   * from `from`; a missing `from` is an error. Not atomic as a whole: a crash may leave some moved
   * and others not (and on S3 some at both keys), never one at neither.
   */
  move(moves: readonly ObjectMove[]): Promise<void>;
}
