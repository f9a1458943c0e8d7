/**
 * Time ranges as the console and the CLI write them: presets (`1h`, `today`, `7d`, `30d`), `--since`
 * durations, RFC 3339 times with the local offset (what the API takes), and which histogram
 * bucket fits a range (`hour` for a few days, `day` beyond).
 */

export const PRESETS = ['1h', 'today', '7d', '30d'] as const;
export type Preset = (typeof PRESETS)[number];

export interface Range {
  from: Date;
  to: Date;
}

/** Hour buckets up to this many days of range; day buckets beyond (the API allows hour up to 31). */
export const HOUR_BUCKET_MAX_DAYS = 3;

/** `30m`, `12h`, `7d`, `2w` -> milliseconds; null when it is not such a duration. */
export function parseDuration(text: string): number | null {
  const match = /^(\d{1,6})([mhdw])$/.exec(text.trim());
  if (!match?.[1] || !match[2]) return null;
  const n = Number(match[1]);
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 }[
    match[2] as 'm' | 'h' | 'd' | 'w'
  ];
  return n > 0 ? n * unit : null;
}

/** The range of a preset, ending now; `today` starts at local midnight. */
export function presetRange(preset: Preset, now: Date): Range {
  if (preset === 'today') {
    const midnight = new Date(now);
    midnight.setHours(0, 0, 0, 0);
    return { from: midnight, to: now };
  }
  const ms = parseDuration(preset === '1h' ? '1h' : preset);
  return { from: new Date(now.getTime() - (ms ?? 0)), to: now };
}

/** RFC 3339 with the runtime's local offset and milliseconds: `2026-11-24T09:15:02.123+09:00`. */
export function toLocalIso(date: Date): string {
  const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}` +
    `${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`
  );
}

/** A `datetime-local` input's value (`2026-11-24T09:15`) in the local time zone. */
export function toLocalInput(date: Date): string {
  return toLocalIso(date).slice(0, 16);
}

/** The reverse of toLocalInput; null for an empty or malformed value. */
export function fromLocalInput(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!match) return null;
  const [, y, mo, d, h, mi] = match.map(Number) as [number, number, number, number, number, number];
  const date = new Date(y, mo - 1, d, h, mi);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** `hour` for ranges of a few days, `day` beyond. */
export function bucketFor(range: Range): 'hour' | 'day' {
  return range.to.getTime() - range.from.getTime() <= HOUR_BUCKET_MAX_DAYS * 86_400_000 ? 'hour' : 'day';
}
