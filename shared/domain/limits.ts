/** Limits of the ingest contract (CONTRACT.md "Errors" and "Ingest"), in one place. */
export const LIMITS = Object.freeze({
  /** Body as sent (function URL BUFFERED mode also stops at 6 MB). */
  maxBodyBytes: 6 * 1024 * 1024,
  /** Body after gzip decompression. */
  maxDecompressedBytes: 32 * 1024 * 1024,
  maxEventsPerBatch: 5000,
  maxTitleChars: 1024,
  maxAttrsBytes: 8 * 1024,
  /** Not in the contract; chosen so one event can never approach a Firehose record's 1,000 KiB. */
  maxShortFieldChars: 256,
  maxUrlChars: 8192,
  maxPathChars: 4096,
  /** Not in the contract: how deep an event may nest (objects and arrays); deeper is a rejected event. */
  maxNestingDepth: 32,
  /** Errors listed in a 202 answer. */
  maxListedErrors: 20,
});

export const ID_PATTERN = /^[A-Za-z0-9._:@-]{1,128}$/;
export const TENANT_PATTERN = /^[a-z0-9][a-z0-9-]{2,62}$/;
export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
