import { describe, expect, it } from '@jest/globals';
import { classify } from './classify.js';
import { describeError } from './failure-record.js';

function sdkError(name: string, extra: Record<string, unknown>): Error {
  return Object.assign(new Error(`${name} happened`), { name, ...extra });
}

describe('describeError', () => {
  it('reads the retry hint of an SDK error, following the cause chain', () => {
    const throttled = new Error('delivery failed', {
      cause: sdkError('ThrottlingException', { $retryable: { throttling: true } }),
    });
    expect(describeError(throttled)).toEqual({
      errorClass: 'Error',
      message: 'delivery failed: ThrottlingException happened',
      transient: true,
    });
    expect(describeError(sdkError('InternalError', { $metadata: { httpStatusCode: 503 } })).transient).toBe(
      true,
    );
    expect(
      describeError(sdkError('AccessDenied', { $fault: 'client', $metadata: { httpStatusCode: 403 } }))
        .transient,
    ).toBe(false);
    expect(describeError(sdkError('TooMany', { $metadata: { httpStatusCode: 429 } })).transient).toBe(true);
    expect(describeError(Object.assign(new Error('socket'), { code: 'ECONNRESET' })).transient).toBe(true);
    expect(describeError(new TypeError('x is undefined'))).toEqual({
      errorClass: 'TypeError',
      message: 'x is undefined',
      transient: null,
    });
    expect(describeError('a string')).toEqual({
      errorClass: 'NonError',
      message: 'a string',
      transient: null,
    });
  });
});

describe('classify', () => {
  const record = (errorClass: string, message = '', transient: boolean | null = null) => ({
    errorClass,
    message,
    transient,
  });

  it.each([
    ['no record (the function died: timeout, out of memory)', null, 'transient', 'unrecorded'],
    ['an SDK retry hint, whatever the class', record('BatchMessageError', '', true), 'transient', 'hint'],
    ['bad data', record('BatchMessageError', 'events: expected array'), 'permanent', 'permanent-list'],
    ['a bug', record('TypeError', 'cannot read properties of undefined'), 'permanent', 'permanent-list'],
    ['Firehose throttling after the adapter retries', record('DeliveryError'), 'transient', 'transient-list'],
    ['Athena quota', record('TooManyRequestsException'), 'transient', 'transient-list'],
    ['a client fault the SDK marks as such', record('SomeClientError', '', false), 'permanent', 'hint'],
    ['a message that reads like a 5xx', record('Error', 'upstream answered 503'), 'transient', 'message'],
    ['a timeout message', record('Error', 'Task timed out after 120.00 seconds'), 'transient', 'message'],
    ['anything else', record('WeirdError', 'something odd'), 'permanent', 'default'],
  ] as const)('%s', (_what, input, expectedClass, rule) => {
    expect(classify(input)).toEqual({ class: expectedClass, rule });
  });
});
