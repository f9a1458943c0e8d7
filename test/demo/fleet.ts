/**
 * The demo's simulated fleet: Japanese offices. Each PC has a user who logs on around 8:45-9:30
 * JST, works in Excel, Outlook, Teams, a browser (intranet portal, Cybozu, kintone, freee,
 * SmartHR, Yahoo! JAPAN...), breaks for lunch at noon, saves files on the file server, prints,
 * and logs off after 17:30 (some stay late). Agents buffer events and post them a few times a
 * day as JSON batches. Deterministic (seeded), so two runs send the same events.
 */
import type { IncomingEvent } from '../../shared/domain/event.js';

export interface TenantSpec {
  tenantId: string;
  company: string;
  pcs: number;
}

export interface Pc {
  tenantId: string;
  deviceId: string;
  host: string;
  user: string;
}

/** An event as an agent sends it: the contract's fields plus its own (kept in `attrs`). */
export type WireEvent = IncomingEvent & Record<string, unknown>;

export interface AgentPost {
  pc: Pc;
  day: string;
  batchId: string;
  events: WireEvent[];
}

const SURNAMES = [
  'sato',
  'suzuki',
  'takahashi',
  'tanaka',
  'watanabe',
  'ito',
  'yamamoto',
  'nakamura',
  'kobayashi',
  'kato',
  'yoshida',
  'yamada',
  'sasaki',
  'yamaguchi',
  'matsumoto',
  'inoue',
  'kimura',
  'hayashi',
  'shimizu',
  'yamazaki',
];
const APPS: Array<[string, number, string[]]> = [
  [
    'excel.exe',
    30,
    [
      '見積書_2026.xlsx - Excel',
      '勤怠集計.xlsx - Excel',
      '売上報告_11月.xlsx - Excel',
      'budget.xlsx - Excel',
    ],
  ],
  ['outlook.exe', 20, ['受信トレイ - Outlook', '会議のご案内 - メッセージ', 'RE: 見積のご依頼']],
  ['ms-teams.exe', 14, ['チャット | Microsoft Teams', '定例会議 | Microsoft Teams']],
  ['chrome.exe', 14, ['Google Chrome']],
  ['winword.exe', 8, ['議事録_定例.docx - Word', '提案書.docx - Word']],
  ['msedge.exe', 6, ['Microsoft Edge']],
  ['acrord32.exe', 4, ['請求書.pdf - Adobe Acrobat Reader']],
  ['powerpnt.exe', 3, ['営業資料.pptx - PowerPoint']],
  ['sakura.exe', 1, ['memo.txt - sakura']],
];
const SITES: Array<[string, number, string]> = [
  ['https://portal.{tenant}.co.jp/news', 18, '社内ポータル'],
  ['https://{tenant}.cybozu.com/g/schedule/index.csp', 16, 'スケジュール - Garoon'],
  ['https://{tenant}.kintone.com/k/12/', 10, '案件管理 - kintone'],
  ['https://www.yahoo.co.jp/', 9, 'Yahoo! JAPAN'],
  ['https://www.google.co.jp/search?q=', 9, 'Google 検索'],
  ['https://outlook.office.com/mail/', 8, 'メール - Outlook'],
  ['https://secure.freee.co.jp/expenses', 6, '経費精算 - freee'],
  ['https://app.smarthr.jp/', 5, 'SmartHR'],
  ['https://www.chatwork.com/', 5, 'Chatwork'],
  ['https://zoom.us/j/', 4, 'Zoom ミーティング'],
  ['https://news.yahoo.co.jp/', 4, 'Yahoo!ニュース'],
  ['https://www.amazon.co.jp/', 2, 'Amazon.co.jp'],
];

export function rng(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

function weighted<T>(
  rand: (n: number) => number,
  items: Array<[T, number, ...unknown[]]>,
): [T, number, ...unknown[]] {
  const sum = items.reduce((s, [, w]) => s + w, 0);
  let r = rand(sum);
  for (const item of items) {
    r -= item[1];
    if (r < 0) return item;
  }
  return items[items.length - 1] as [T, number, ...unknown[]];
}

export function pcsOf(tenant: TenantSpec): Pc[] {
  return Array.from({ length: tenant.pcs }, (_, i) => {
    const n = String(i + 1).padStart(3, '0');
    return {
      tenantId: tenant.tenantId,
      deviceId: `pc-${n}`,
      host: `${tenant.company.toUpperCase()}-PC${n}`,
      user: `${SURNAMES[i % SURNAMES.length]}${i >= SURNAMES.length ? Math.floor(i / SURNAMES.length) + 1 : ''}`,
    };
  });
}

/** JST wall time of `day` at minute-of-day `m`, as RFC 3339 with +09:00. */
function jst(day: string, m: number, s: number): string {
  const hh = String(Math.floor(m / 60)).padStart(2, '0');
  const mm = String(m % 60).padStart(2, '0');
  return `${day}T${hh}:${mm}:${String(s).padStart(2, '0')}.${String(s * 16).padStart(3, '0')}+09:00`;
}

/** One PC's working day, split into the posts its agent makes (every `postEvery` events or so). */
export function pcDay(pc: Pc, day: string, scale: number, seed: number): AgentPost[] {
  const rand = rng(seed);
  const start = 8 * 60 + 45 + rand(45); // 8:45-9:30
  const end = 17 * 60 + 30 + rand(rand(4) === 0 ? 180 : 60); // some stay late
  const events: WireEvent[] = [
    { type: 'logon', ts: jst(day, start, 0), user: pc.user, host: pc.host, op: 'logon' },
  ];
  let t = start + 1;
  while (t < end) {
    if (t >= 12 * 60 && t < 13 * 60) {
      events.push({ type: 'logon', ts: jst(day, 12 * 60, 5), user: pc.user, host: pc.host, op: 'lock' });
      events.push({
        type: 'logon',
        ts: jst(day, 12 * 60 + 55, 5),
        user: pc.user,
        host: pc.host,
        op: 'unlock',
      });
      t = 13 * 60;
      continue;
    }
    const sec = rand(60);
    const kind = rand(100);
    if (kind < 55) {
      const [app, , titles] = weighted(rand, APPS) as [string, number, string[]];
      events.push({
        type: 'app',
        ts: jst(day, t, sec),
        user: pc.user,
        host: pc.host,
        app,
        title: titles[rand(titles.length)],
        durationMs: (30 + rand(600)) * 1000,
      });
    } else if (kind < 88) {
      const [url, , title] = weighted(rand, SITES) as [string, number, string];
      events.push({
        type: 'web',
        ts: jst(day, t, sec),
        user: pc.user,
        host: pc.host,
        url: `${url.replace('{tenant}', pc.tenantId.split('-')[0] ?? 'corp')}${rand(100)}`,
        title,
        browser: rand(4) === 0 ? 'edge' : 'chrome',
      });
    } else if (kind < 97) {
      const ops = ['create', 'modify', 'modify', 'modify', 'copy', 'rename', 'delete'] as const;
      events.push({
        type: 'file',
        ts: jst(day, t, sec),
        user: pc.user,
        host: pc.host,
        path: `\\\\fs01\\share\\営業部\\${day.slice(0, 7)}\\報告書_${rand(40)}.xlsx`,
        op: ops[rand(ops.length)] ?? 'modify',
      });
    } else if (kind < 99) {
      events.push({
        type: 'print',
        ts: jst(day, t, sec),
        user: pc.user,
        host: pc.host,
        title: '見積書_2026.xlsx',
        printer: 'MFP-3F',
        pages: 1 + rand(5),
      });
    } else {
      events.push({
        type: 'device',
        ts: jst(day, t, sec),
        user: pc.user,
        host: pc.host,
        device: 'USB メモリ',
        action: 'connect',
      });
    }
    t += Math.max(1, Math.round((1 + rand(3)) / scale));
  }
  events.push({ type: 'logon', ts: jst(day, end, 0), user: pc.user, host: pc.host, op: 'logoff' });
  const posts: AgentPost[] = [];
  const per = Math.ceil(events.length / 4); // the agent posts about four times a day
  for (let i = 0; i < events.length; i += per) {
    posts.push({
      pc,
      day,
      batchId: `${pc.deviceId}-${day}-${posts.length + 1}`,
      events: events.slice(i, i + per),
    });
  }
  return posts;
}
