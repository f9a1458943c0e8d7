/** The messages between the request thread (background-client.ts) and the background thread. */
import type { NightlySummary } from '../../conversion/summary.js';
import type { SweepSummary } from '../../dlq/summary.js';
import type { FlushSummary, SplitPass } from './background.js';

/** Each operation's argument and answer. */
export interface BackgroundOps {
  splitOnce: { arg: number | undefined; value: SplitPass };
  flush: { arg: undefined; value: FlushSummary };
  sweep: { arg: { dryRun?: boolean }; value: SweepSummary };
  alertNightly: { arg: NightlySummary; value: undefined };
  close: { arg: undefined; value: undefined };
}

export type BackgroundOp = keyof BackgroundOps;

export type BackgroundRequest = {
  [K in BackgroundOp]: { id: number; op: K; arg: BackgroundOps[K]['arg'] };
}[BackgroundOp];

export type BackgroundReply =
  | { ready: true }
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string } };
