/**
 * split: events/s on one core for what split does to a batch message (parse and check the
 * message, normalise every event, pack JSON Lines records), against the floor of any JSON
 * pipeline: JSON.parse of the same message plus JSON.stringify of each event, in the same run.
 */
import { normalizeBatch, packRecords } from '../../functions/split/split.js';
import type { BatchMessage } from '../../shared/domain/batch-message.js';
import { parseBatchMessage } from '../../shared/domain/batch-message.js';
import type { IncomingEvent } from '../../shared/domain/event.js';
import { type CaseResult, compare } from './harness.js';

const APPS = ['excel.exe', 'winword.exe', 'chrome.exe', 'teams.exe', 'outlook.exe', 'code.exe'];
const SITES = [
  'https://intra.example.co.jp/wiki?q=',
  'https://www.Example.com/docs/',
  'https://mail.example.org/inbox/',
];

/** A realistic agent batch: mixed types, Japan-time offsets, a few extra attributes. */
export function agentBatch(events: number, seed = 1): BatchMessage {
  let state = seed;
  const rand = (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  const items = Array.from({ length: events }, (_, index) => {
    const minute = String(rand(60)).padStart(2, '0');
    const ts = `2026-11-2${rand(4)}T${String(8 + rand(10)).padStart(2, '0')}:${minute}:0${rand(10)}.${rand(900) + 100}+09:00`;
    const kind = rand(4);
    const event: IncomingEvent =
      kind === 0
        ? {
            type: 'web',
            ts,
            user: 'yamada',
            host: 'PC-001',
            url: `${SITES[rand(3)]}${rand(1000)}`,
            title: 'Wiki page',
          }
        : kind === 1
          ? {
              type: 'file',
              ts,
              user: 'yamada',
              host: 'PC-001',
              path: `C:/Users/yamada/Documents/report-${rand(99)}.xlsx`,
              op: 'modify',
            }
          : {
              type: 'app',
              ts,
              user: 'yamada',
              host: 'PC-001',
              app: APPS[rand(APPS.length)] ?? 'excel.exe',
              title: `budget-${rand(50)}.xlsx - Excel`,
              durationMs: rand(600000),
              attrs: { pid: rand(65535), version: '16.0.1' },
            };
    return { index, deviceId: 'pc-001', event };
  });
  return {
    v: 1,
    tenantId: 'acme-corp',
    batchId: `b-${seed}`,
    deviceId: 'pc-001',
    derivation: 'position',
    receivedAt: '2026-11-24T00:20:00.000Z',
    events: items,
    rejects: [],
  };
}

export async function run(progress: (message: string) => void): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const size of [500, 5000]) {
    const messages = Array.from({ length: Math.max(4, 40000 / size) }, (_, i) =>
      JSON.stringify(agentBatch(size, i + 1)),
    );
    const total = messages.length * size;
    results.push(
      await compare({
        bench: 'split',
        name: `${messages.length} messages x ${size} events`,
        unit: 'events',
        rounds: 7,
        progress,
        candidate: () => {
          let records = 0;
          for (const body of messages) {
            const batch = parseBatchMessage(JSON.parse(body));
            records += packRecords(normalizeBatch(batch).events).length;
          }
          return { units: total, extra: { records } };
        },
        baselineName: 'JSON.parse + JSON.stringify per event',
        baseline: () => {
          let bytes = 0;
          for (const body of messages) {
            const batch = JSON.parse(body) as BatchMessage;
            for (const item of batch.events) bytes += JSON.stringify(item.event).length + 1;
          }
          return { units: total, extra: { bytes } };
        },
      }),
    );
  }
  return results;
}
