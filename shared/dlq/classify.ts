/**
 * Transient or permanent: decided from what the failing function recorded (failure-record.ts).
 *
 *   1. the error's own hint (SDK `$retryable`, HTTP 5xx or 429, connection resets) → transient
 *   2. its class in the configured permanent list (bad data, schema, bugs)        → permanent
 *   3. its class in the configured transient list (throttling, timeouts, quota)   → transient
 *   4. a message that reads like throttling, a timeout or a 5xx                   → transient
 *   5. no record at all: the function died without recording (timeout, out of memory) → transient
 *   6. anything else (an unknown class is most likely a bug)                      → permanent
 *
 * A transient failure is redriven a bounded number of times; past that it is archived like a
 * permanent one (reason `redrive_limit`).
 */
import type { FailureRecord } from './failure-record.js';

export type FailureClass = 'transient' | 'permanent';

export interface ClassifyRules {
  transientErrors: readonly string[];
  permanentErrors: readonly string[];
}

export const DEFAULT_CLASSIFY_RULES: Readonly<ClassifyRules> = Object.freeze({
  transientErrors: [
    'DeliveryError',
    'ThrottlingException',
    'Throttling',
    'TooManyRequestsException',
    'ProvisionedThroughputExceededException',
    'RequestLimitExceeded',
    'LimitExceededException',
    'KMSThrottlingException',
    'ServiceUnavailable',
    'ServiceUnavailableException',
    'InternalFailure',
    'InternalError',
    'InternalServerError',
    'InternalServerException',
    'SlowDown',
    'RequestTimeout',
    'RequestTimeoutException',
    'TimeoutError',
    'AbortError',
    'Oplake.ConversionIncomplete',
    'Unrecorded',
  ],
  permanentErrors: [
    'BatchMessageError',
    'SpoolObjectMissingError',
    'BadFanOutMessageError',
    'SyntaxError',
    'TypeError',
    'RangeError',
    'ReferenceError',
    'ValidationError',
    'ValidationException',
    'ZodError',
    'InvalidRequestError',
    'ConfigError',
    'AccessDenied',
    'AccessDeniedException',
    'NoSuchBucket',
    'ResourceNotFoundException',
    'InvalidParameterValueException',
    'FirehoseRecordError',
  ],
});

const TRANSIENT_MESSAGE =
  /throttl|rate exceeded|too many requests|timed? ?out|slow down|service unavailable|temporarily|\b5\d\d\b|ECONNRESET|ETIMEDOUT|socket hang up/i;

export interface Classification {
  class: FailureClass;
  /** Which rule decided: hint, permanent-list, transient-list, message, unrecorded, default. */
  rule: string;
}

export function classify(
  record: Pick<FailureRecord, 'errorClass' | 'message' | 'transient'> | null,
  rules: ClassifyRules = DEFAULT_CLASSIFY_RULES,
): Classification {
  if (record === null) return { class: 'transient', rule: 'unrecorded' };
  if (record.transient === true) return { class: 'transient', rule: 'hint' };
  if (rules.permanentErrors.includes(record.errorClass))
    return { class: 'permanent', rule: 'permanent-list' };
  if (rules.transientErrors.includes(record.errorClass))
    return { class: 'transient', rule: 'transient-list' };
  if (record.transient === false) return { class: 'permanent', rule: 'hint' };
  if (TRANSIENT_MESSAGE.test(record.message)) return { class: 'transient', rule: 'message' };
  return { class: 'permanent', rule: 'default' };
}
