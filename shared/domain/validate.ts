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

/** The event fields in the schema's order (the order zod writes its output in). */
const SCHEMA_FIELDS = Object.keys(baseEvent.shape) as (keyof IncomingEvent)[];
const KNOWN = new Set<string>(KNOWN_FIELDS);

/** Judges one event as sent (any JSON value). */
export function validateEvent(value: unknown): EventVerdict {
  return judgeEvent(value, true);
}

/**
 * The same verdicts as `validateEvent`, always through the zod schema: the reference the fast
 * path is tested against (validate.test.ts), not used on the request path.
 */
export function validateEventWithSchema(value: unknown): EventVerdict {
  return judgeEvent(value, false);
}

function judgeEvent(value: unknown, fastPath: boolean): EventVerdict {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'event must be a JSON object' };
  }
  const illFormed = illFormedString(value);
  if (illFormed !== null) {
    return { ok: false, reason: 'a string of the event is not valid Unicode (it holds a lone surrogate)' };
  }
  const record = value as Record<string, unknown>;
  const known: Record<string, unknown> = {};
  let extra: Record<string, unknown> | undefined;
  for (const key of Object.keys(record)) {
    const field = record[key];
    if (KNOWN.has(key)) {
      // JSON null means "absent" for the optional fields.
      if (field !== null) known[key] = field;
    } else {
      // A null-prototype object keeps a field named __proto__ as a field.
      extra ??= Object.create(null) as Record<string, unknown>;
      extra[key] = field;
    }
  }
  let event: IncomingEvent;
  if (fastPath && plainlyValid(known)) {
    event = {} as IncomingEvent;
    const out = event as unknown as Record<string, unknown>;
    for (const field of SCHEMA_FIELDS) if (known[field] !== undefined) out[field] = known[field];
  } else {
    // The schema judges what the fast path could not pass, and words the reasons.
    const parsed = eventSchema.safeParse(known);
    if (!parsed.success) {
      return { ok: false, reason: describeIssues(parsed.error.issues) };
    }
    event = stripUndefined(parsed.data) as IncomingEvent;
  }
  if (extra !== undefined) {
    const attrsBytes = Buffer.byteLength(JSON.stringify(extra), 'utf8');
    if (attrsBytes > LIMITS.maxAttrsBytes) {
      return {
        ok: false,
        reason: `attrs: extra fields take ${attrsBytes} bytes, at most ${LIMITS.maxAttrsBytes}`,
      };
    }
    event.attrs = { ...extra };
  }
  return { ok: true, event };
}

const isId = (v: unknown) => v === undefined || (typeof v === 'string' && ID_PATTERN.test(v));
const isText = (v: unknown, max: number, min = 0) =>
  v === undefined || (typeof v === 'string' && v.length <= max && v.length >= min);
const TYPES = new Set<unknown>(EVENT_TYPES);
const FILE_OP_SET = new Set<unknown>(FILE_OPS);
const LOGON_OP_SET = new Set<unknown>(LOGON_OPS);

/**
 * True only when the schema would accept these fields unchanged (checked against it by a property
 * test): the common case, judged without zod's per-call allocations. False sends the event to the
 * schema, which decides and says why.
 */
function plainlyValid(known: Record<string, unknown>): boolean {
  const { type, ts, durationMs, op, url } = known;
  if (!TYPES.has(type) || typeof ts !== 'string' || parseTimestamp(ts) === null) return false;
  if (!isId(known.eventId) || !isId(known.deviceId)) return false;
  const short = LIMITS.maxShortFieldChars;
  if (!isText(known.user, short) || !isText(known.host, short) || !isText(known.app, short)) return false;
  if (!isText(known.title, LIMITS.maxTitleChars) || !isText(known.path, LIMITS.maxPathChars, 1)) return false;
  if (!isText(op, Number.POSITIVE_INFINITY)) return false;
  if (url !== undefined && !(typeof url === 'string' && url.length <= LIMITS.maxUrlChars && isHttpUrl(url)))
    return false;
  if (
    durationMs !== undefined &&
    !(typeof durationMs === 'number' && Number.isSafeInteger(durationMs) && durationMs >= 0)
  )
    return false;
  switch (type) {
    case 'app':
      return known.app !== undefined;
    case 'web':
      return url !== undefined;
    case 'file':
      return known.path !== undefined && FILE_OP_SET.has(op);
    case 'logon':
      return LOGON_OP_SET.has(op);
    default:
      return true;
  }
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
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) if (field !== undefined) out[key] = field;
  return out as T;
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
