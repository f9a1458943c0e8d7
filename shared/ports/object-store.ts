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
}
