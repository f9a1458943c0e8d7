/**
 * The sweeper against the local disk queue and the real split handler: transient failures are
 * redriven with backoff and recover without an alert; permanent ones are archived (readable,
 * DuckDB too) with exactly one alert; nothing leaves a DLQ unarchived; dry runs change nothing.
 */

import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { sqlString } from '../../shared/conversion/sql.js';
import { readArchive } from '../../shared/dlq/archive.js';
import { readFailure } from '../../shared/dlq/failure-record.js';
import { batchBody, createKit, type Kit } from './pipeline-kit.js';

async function archived(kit: Kit) {
  const out = [];
  for await (const record of readArchive(kit.lake)) out.push(record);
  return out;
}

describe('dlq-sweeper over the local disk queue', () => {
  let kit: Kit;
  beforeEach(async () => {
    kit = await createKit();
  });
  afterEach(async () => {
    await kit.close();
  });

  it('redrives a transient failure, which then succeeds: no loss, no double, no alert', async () => {
    // Prepare: Firehose throttles every attempt until the message is dead-lettered.
    await kit.send([batchBody(1), batchBody(2)]);
    kit.faulty.fault = 'throttle';
    await kit.drain();
    expect((await kit.queue.depth()).dlq).toBe(2);
    const record = await readFailure(kit.lake, batchBody(1));
    expect(record).toMatchObject({
      errorClass: 'DeliveryError',
      transient: true,
      attempts: 2,
      recordedBy: 'split',
    });
    kit.faulty.fault = 'none';

    // Act
    const summary = await kit.sweep();
    await kit.drain();

    // Assess
    expect(summary.sources.batches).toMatchObject({
      seen: 2,
      transient: 2,
      permanent: 0,
      redriven: 2,
      archived: 0,
    });
    expect(summary.alerts).toBe(0);
    expect(await kit.queue.depth()).toEqual({ ready: 0, inflight: 0, dlq: 0 });
    const ids = await kit.lakeEvents();
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
    expect(await kit.alerts()).toEqual([]);
    expect(await archived(kit)).toEqual([]);
    expect(kit.metrics).toContainEqual({
      name: 'DeadLettersRedriven',
      dimensions: { source: 'batches', class: 'transient' },
      value: 2,
    });
  });

  it('archives a permanent failure as a readable JSON line, removes it, and alerts exactly once', async () => {
    // Prepare: a poison message (not a batch at all).
    const poison = '{"v":1,"tenantId":"acme-corp","events":"not a list"}';
    await kit.send([poison]);
    await kit.drain();
    expect((await kit.queue.depth()).dlq).toBe(1);

    // Act
    const summary = await kit.sweep();
    const again = await kit.sweep();

    // Assess
    expect(summary.sources.batches).toMatchObject({ seen: 1, permanent: 1, archived: 1, redriven: 0 });
    expect(summary.alerts).toBe(1);
    expect(again.sources.batches?.seen).toBe(0);
    expect((await kit.queue.depth()).dlq).toBe(0);
    const [record, ...rest] = await archived(kit);
    expect(rest).toEqual([]);
    expect(record).toMatchObject({
      source: 'batches',
      class: 'permanent',
      reason: 'permanent',
      errorClass: 'BatchMessageError',
      attempts: 2,
      body: poison,
    });
    expect(record?.key).toMatch(/^archive\/dlq\/batches\/dt=2026-11-24\/.+\.jsonl$/);
    const alerts = await kit.alerts();
    expect(alerts.map((a) => a.key)).toEqual(['permanent_failures:batches:BatchMessageError']);
    expect(await readFailure(kit.lake, poison)).toBeNull();

    // The same engine reads the archive: DuckDB over the JSON lines.
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    const connection = await db.connect();
    try {
      const reader = await connection.runAndReadAll(
        `SELECT source, errorClass, body FROM read_json_auto(${sqlString(kit.lake.pathOf(record?.key ?? ''))}, format = 'newline_delimited')`,
      );
      expect(reader.getRowObjectsJson()).toEqual([
        { source: 'batches', errorClass: 'BatchMessageError', body: poison },
      ]);
    } finally {
      connection.closeSync();
      db.closeSync();
    }
  });

  it('redrives with backoff, then archives past the bound (reason redrive_limit), with one alert', async () => {
    // Prepare
    await kit.send([batchBody(7)]);
    kit.faulty.fault = 'total';
    const redrivesPerSweep: number[] = [];
    const waiting: number[] = [];

    // Act: fail, sweep, fail... The clock moves 1 min between sweeps; backoff is 1, 2, 4 min.
    for (let round = 0; round < 8; round++) {
      await kit.drain();
      const summary = await kit.sweep();
      redrivesPerSweep.push(summary.redriven);
      waiting.push(summary.waiting);
      kit.clock.advance(60_000);
    }

    // Assess: redriven at minutes 0, 1, 3 (3 = maxRedrives), archived after.
    expect(redrivesPerSweep).toEqual([1, 1, 0, 1, 0, 0, 0, 0]);
    expect(waiting.slice(0, 4)).toEqual([0, 0, 1, 0]);
    const records = await archived(kit);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      class: 'transient',
      reason: 'redrive_limit',
      redrives: 3,
      errorClass: 'DeliveryError',
    });
    expect((await kit.alerts()).map((a) => a.rule)).toEqual(['permanent_failures']);
    expect(await kit.queue.depth()).toEqual({ ready: 0, inflight: 0, dlq: 0 });
  });

  it('a dry run classifies and reports but changes nothing and sends nothing', async () => {
    // Prepare
    await kit.send(['not json', batchBody(3)]);
    kit.faulty.fault = 'throttle';
    await kit.drain();

    // Act
    const summary = await kit.sweep({ dryRun: true });

    // Assess
    expect(summary).toMatchObject({ dryRun: true, redriven: 1, archived: 1, alerts: 1 });
    expect((await kit.queue.depth()).dlq).toBe(2);
    expect(await archived(kit)).toEqual([]);
    expect(await kit.alerts()).toEqual([]);
    expect((await readFailure(kit.lake, batchBody(3)))?.redrives).toBe(0);
  });

  it('a DLQ message waiting longer than the age threshold raises one alert', async () => {
    // Prepare: redriven once, fails again, then waits for its backoff past the threshold.
    kit.config.alerts = { ...kit.config.alerts, maxMessageAgeMs: 30 * 60_000 };
    kit.config.backoffBaseMs = 3600_000;
    await kit.send([batchBody(4)]);
    kit.faulty.fault = 'total';
    await kit.drain();
    await kit.sweep();
    await kit.drain();
    kit.clock.advance(40 * 60_000);

    // Act
    const summary = await kit.sweep();
    const again = await kit.sweep();

    // Assess
    expect(summary.waiting).toBe(1);
    expect(summary.alertsSent.map((a) => a.rule)).toEqual(['dlq_message_age']);
    expect(again).toMatchObject({ alerts: 0, suppressedAlerts: 1 });
    expect((await kit.queue.depth()).dlq).toBe(1);
  });
});
