/** Run ids name one conversion attempt (its staging/ location and its Parquet file names). */
import { randomBytes } from 'node:crypto';
import { type Clock, systemClock } from '../ports/clock.js';

const RUN_ID = /^[A-Za-z0-9-]{1,80}$/;

/** `20261124T010000123Z-1a2b3c4d`: sortable by time, unique per attempt. */
export function newRunId(clock: Clock = systemClock): string {
  const stamp = clock.now().toISOString().replace(/[-:.]/g, '');
  return `${stamp}-${randomBytes(4).toString('hex')}`;
}

export function isRunId(value: string): boolean {
  return RUN_ID.test(value);
}

/** The run a Parquet file was written by: its name without the `-N.parquet` counter. */
export function runOfKey(key: string): string {
  return (key.split('/').pop() ?? key).replace(/(-\d+)?\.parquet$/, '');
}
