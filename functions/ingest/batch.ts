/**
 * Judging one parsed batch: which device it belongs to (token `sub`, body `deviceId`,
 * `X-Device-Id`, the event's own `deviceId`) and which events are valid, each reject with a
 * reason and the event as sent. Pure: no I/O.
 */
import type { RejectedEvent } from '../../shared/domain/batch-message.js';
import { ID_PATTERN } from '../../shared/domain/limits.js';
import type { QueuedEvent } from '../../shared/domain/normalize.js';
import { validateEvent } from '../../shared/domain/validate.js';
import { ForbiddenError, InvalidRequestError } from '../../shared/errors.js';
import type { BodyEntry, ParsedBody } from '../../shared/ingest/body.js';

/** An id-shaped header, or undefined; a malformed one is 400. */
export function headerId(headers: Record<string, string | undefined>, name: string): string | undefined {
  const value = headers[name]?.trim();
  if (value === undefined || value === '') return undefined;
  if (!ID_PATTERN.test(value)) {
    throw new InvalidRequestError(`${name} header must be 1-128 characters of [A-Za-z0-9._:@-]`, {
      details: [{ field: name, message: 'must be 1-128 characters of [A-Za-z0-9._:@-]' }],
    });
  }
  return value;
}

/** The batch device: token sub, else body deviceId, else X-Device-Id (403 when they disagree with sub). */
export function batchDevice(
  sub: string | null,
  body: ParsedBody,
  headers: Record<string, string | undefined>,
): string | undefined {
  const header = headerId(headers, 'x-device-id');
  if (sub !== null) {
    if (body.deviceId !== undefined && body.deviceId !== sub) {
      throw new ForbiddenError(`body deviceId ${body.deviceId} is not the token's device`);
    }
    if (header !== undefined && header !== sub) {
      throw new ForbiddenError(`X-Device-Id ${header} is not the token's device`);
    }
    return sub;
  }
  return body.deviceId ?? header;
}

/** Splits a batch into valid events (with their device) and rejects (with reason and event as sent). */
export function judge(
  entries: readonly BodyEntry[],
  deviceId: string | undefined,
): { events: QueuedEvent[]; rejects: RejectedEvent[] } {
  const events: QueuedEvent[] = [];
  const rejects: RejectedEvent[] = [];
  entries.forEach((entry, index) => {
    if (!entry.json) {
      rejects.push({ index, reason: entry.reason, event: entry.text });
      return;
    }
    const verdict = validateEvent(entry.value);
    if (!verdict.ok) {
      rejects.push({ index, reason: verdict.reason, event: entry.value });
      return;
    }
    const own = verdict.event.deviceId;
    if (own !== undefined && deviceId !== undefined && own !== deviceId) {
      rejects.push({
        index,
        reason: `deviceId: ${own} is not the batch's device ${deviceId}`,
        event: entry.value,
      });
      return;
    }
    const device = deviceId ?? own;
    if (device === undefined) {
      rejects.push({
        index,
        reason: 'deviceId: no device (token sub, body deviceId, X-Device-Id header or the event deviceId)',
        event: entry.value,
      });
      return;
    }
    events.push({ index, deviceId: device, event: verdict.event });
  });
  return { events, rejects };
}

export function asSent(entry: BodyEntry): unknown {
  return entry.json ? entry.value : { unparsedLine: entry.text };
}
