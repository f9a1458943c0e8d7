/**
 * Per-event validation: every event of a batch is judged on its own, and a rejected event
 * carries a reason a person can act on. Validation never throws for bad input.
 */
import { z } from 'zod';
import { EVENT_TYPES, FILE_OPS, type IncomingEvent, KNOWN_FIELDS, LOGON_OPS } from './event.js';
import { illFormedString } from './json-shape.js';
import { ID_PATTERN, LIMITS } from './limits.js';

const RFC3339_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

const id = z.string().regex(ID_PATTERN, 'must be 1-128 characters of [A-Za-z0-9._:@-]');
const shortText = z
  .string()
  .max(LIMITS.maxShortFieldChars, `must be at most ${LIMITS.maxShortFieldChars} characters`);

const required = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : message;

const timestamp = z
  .string({ error: required('must be a string') })
  .refine((value) => parseTimestamp(value) !== null, {
    message: 'must be an RFC 3339 time with an offset, e.g. 2026-11-24T09:15:02.123+09:00',
  });

const httpUrl = z
  .string()
  .max(LIMITS.maxUrlChars, `must be at most ${LIMITS.maxUrlChars} characters`)
  .refine(isHttpUrl, { message: 'must be an absolute http or https URL' });

const baseEvent = z.object({
  eventId: id.optional(),
  deviceId: id.optional(),
  type: z.enum(EVENT_TYPES, { error: required(`must be one of ${EVENT_TYPES.join(', ')}`) }),
  ts: timestamp,
  user: shortText.optional(),
  host: shortText.optional(),
  app: shortText.optional(),
  title: z
    .string()
    .max(LIMITS.maxTitleChars, `must be at most ${LIMITS.maxTitleChars} characters`)
    .optional(),
  url: httpUrl.optional(),
  path: z
    .string()
    .min(1)
    .max(LIMITS.maxPathChars, `must be at most ${LIMITS.maxPathChars} characters`)
    .optional(),
  op: z.string().optional(),
  durationMs: z
    .number()
    .int('must be an integer')
    .min(0, 'must be >= 0')
    .max(Number.MAX_SAFE_INTEGER)
    .optional(),
});

const eventSchema = baseEvent.superRefine((event, ctx) => {
  const need = (field: keyof typeof event, message: string) => {
    if (event[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message });
  };
  switch (event.type) {
    case 'app':
      need('app', `is required for type ${event.type}`);
      break;
    case 'web':
      need('url', 'is required for type web');
      break;
    case 'file':
      need('path', 'is required for type file');
      need('op', 'is required for type file');
      if (event.op !== undefined && !(FILE_OPS as readonly string[]).includes(event.op)) {
        ctx.addIssue({ code: 'custom', path: ['op'], message: `must be one of ${FILE_OPS.join(', ')}` });
      }
      break;
    case 'logon':
      need('op', 'is required for type logon');
      if (event.op !== undefined && !(LOGON_OPS as readonly string[]).includes(event.op)) {
        ctx.addIssue({ code: 'custom', path: ['op'], message: `must be one of ${LOGON_OPS.join(', ')}` });
      }
      break;
    default:
      break;
  }
});

export type EventVerdict = { ok: true; event: IncomingEvent } | { ok: false; reason: string };

/** Judges one event as sent (any JSON value). */
export function validateEvent(value: unknown): EventVerdict {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'event must be a JSON object' };
  }
  const illFormed = illFormedString(value);
  if (illFormed !== null) {
    return { ok: false, reason: 'a string of the event is not valid Unicode (it holds a lone surrogate)' };
  }
  const record = value as Record<string, unknown>;
  const known: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(record)) {
    if ((KNOWN_FIELDS as readonly string[]).includes(key)) {
      // JSON null means "absent" for the optional fields.
      if (field !== null) known[key] = field;
    } else {
      extra[key] = field;
    }
  }
  const parsed = eventSchema.safeParse(known);
  if (!parsed.success) {
    return { ok: false, reason: describeIssues(parsed.error.issues) };
  }
  const event: IncomingEvent = stripUndefined(parsed.data) as IncomingEvent;
  if (Object.keys(extra).length > 0) {
    const attrsBytes = Buffer.byteLength(JSON.stringify(extra), 'utf8');
    if (attrsBytes > LIMITS.maxAttrsBytes) {
      return {
        ok: false,
        reason: `attrs: extra fields take ${attrsBytes} bytes, at most ${LIMITS.maxAttrsBytes}`,
      };
    }
    event.attrs = extra;
  }
  return { ok: true, event };
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Milliseconds since the epoch of an RFC 3339 time with an offset, or null. Years 1970-9999. */
export function parseTimestamp(value: string): number | null {
  const match = RFC3339_WITH_OFFSET.exec(value);
  if (!match) return null;
  const [y, mo, d, h, mi, s] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  if (new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) return null; // 2026-02-30 and friends
  // Milliseconds from the fraction's first three digits (finer digits are dropped, not rounded).
  const millis = match[7] === undefined ? 0 : Number(`${match[7].slice(1)}00`.slice(0, 3));
  const offset = match[8] ?? 'Z';
  let offsetMinutes = 0;
  if (offset !== 'Z' && offset !== 'z') {
    const oh = Number(offset.slice(1, 3));
    const om = Number(offset.slice(4, 6));
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (offset.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  return Date.UTC(y, mo - 1, d, h, mi, s, millis) - offsetMinutes * 60000;
}

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
}
