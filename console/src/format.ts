/** Numbers, durations, bytes and times as the console shows them (the browser's time zone). */
import type { Lang } from './i18n.js';

const locale = (lang: Lang) => (lang === 'ja' ? 'ja-JP' : 'en-GB');

export function formatTime(lang: Lang, iso: string): string {
  return new Intl.DateTimeFormat(locale(lang), {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).format(new Date(iso));
}

/** A bucket key of /v1/aggregate (`2026-11-24` UTC day, or `2026-11-24T09:00:00.000Z` UTC hour). */
export function formatBucket(lang: Lang, key: string | null, bucket: 'hour' | 'day'): string {
  if (key === null) return '';
  if (bucket === 'day') return key;
  return new Intl.DateTimeFormat(locale(lang), {
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(key));
}

export function formatCount(lang: Lang, n: number): string {
  return new Intl.NumberFormat(locale(lang)).format(n);
}

/** `12:05:09` (hours may pass 24). */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function timeZoneName(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
