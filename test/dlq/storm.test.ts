/**
 * The storm figures of issue 9: 1,000 messages dead-lettered by one transient cause (Firehose
 * throttling) are redriven by one sweep with 0 alerts and 0 loss; one permanent failure among
 * them gives exactly one alert and one archived, readable record. Also: Athena failing a tenant
 * in the nightly run alerts once (the nightly rule), Athena throttling that the workflow's retries
 * absorb alerts never.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { DuckDbConversionEngine } from '../../shared/adapters/local/duckdb-conversion-engine.js';
import { AlertGate, nightlyAlert } from '../../shared/dlq/alerts.js';
import { readArchive } from '../../shared/dlq/archive.js';
import { runNightly } from '../../shared/local/workflow/run-nightly.js';
import { writeRawLake } from '../fixtures/raw-lake.js';
import { batchBody, createKit, type Kit } from './pipeline-kit.js';

const kits: Kit[] = [];
const engines: DuckDbConversionEngine[] = [];
afterAll(async () => {
  for (const engine of engines) await engine.close();
  for (const kit of kits) await kit.close();
});

describe('a storm of transient failures', () => {
  it('1,000 transient failures: 0 alerts, 0 loss; 1 permanent failure: exactly 1 alert, 1 archived readable record', async () => {
    // Prepare: 1,000 one-event batches and one poison message; Firehose throttles everything.
    const kit = await createKit({ maxReceiveCount: 1, config: { pageSize: 10 }, inMemoryFs: true });
    kits.push(kit);
    const bodies = Array.from({ length: 1000 }, (_, i) => batchBody(i, 1));
    await kit.send([...bodies, '{"v":1,"tenantId":"acme-corp","claimCheck":42}']);
    kit.faulty.fault = 'throttle';
    const failed = await kit.drain();
    expect(failed).toEqual({ ok: 0, failed: 1001 });
    expect((await kit.queue.depth()).dlq).toBe(1001);
    kit.faulty.fault = 'none';

    // Act
    const started = performance.now();
    const summary = await kit.sweep();
    const sweepMs = performance.now() - started;
    await kit.drain();

    // Assess
    expect(summary.sources.batches).toMatchObject({
      seen: 1001,
      transient: 1000,
      permanent: 1,
      redriven: 1000,
      archived: 1,
    });
    const ids = await kit.lakeEvents();
    expect(ids).toHaveLength(1000);
    expect(new Set(ids).size).toBe(1000);
    expect(await kit.queue.depth()).toEqual({ ready: 0, inflight: 0, dlq: 0 });
    const alerts = await kit.alerts();
    expect(alerts.map((a) => a.rule)).toEqual(['permanent_failures']);
    const records = [];
    for await (const record of readArchive(kit.lake, { source: 'batches' })) records.push(record);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ class: 'permanent', errorClass: 'BatchMessageError' });
    process.stderr.write(
      `storm: 1,001 dead letters swept in ${Math.round(sweepMs)} ms, ${summary.alerts} alert(s)\n`,
    );
  }, 240_000); // about 10 s on an idle 2-core machine; shared CI runners are slower

  it('the same storm again inside the dedup window sends no second alert', async () => {
    const kit = await createKit({ maxReceiveCount: 1 });
    kits.push(kit);
    for (let wave = 0; wave < 3; wave++) {
      await kit.send([`{"poison": ${wave}}`, `{"poison": "${wave}b"}`]);
      await kit.drain();
      await kit.sweep();
      kit.clock.advance(15 * 60_000);
    }
    expect((await kit.alerts()).map((a) => a.key)).toEqual(['permanent_failures:batches:BatchMessageError']);
  });
});

describe('Athena faults in the nightly run (the nightly rule)', () => {
  it('a tenant failing after its retries alerts once per run date; throttling absorbed by retries alerts never', async () => {
    // Prepare
    const kit = await createKit();
    kits.push(kit);
    const engine = new DuckDbConversionEngine(kit.lake, { memoryLimit: '256MB', threads: 1 });
    engines.push(engine);
    await writeRawLake(kit.lake, { tenants: 2, days: 1, lastDay: '2026-11-23', eventsPerTenantDay: 20 });
    const gate = () =>
      new AlertGate(
        { store: kit.lake, alerter: kit.alerter, clock: kit.clock },
        kit.config.alerts.dedupWindowMs,
      );
    const send = async (summary: Awaited<ReturnType<typeof runNightly>>) => {
      const alert = nightlyAlert(summary);
      if (alert) await gate().send(alert);
    };

    // Act: throttled once (the ASL's Retry absorbs it), then failing for good.
    const recovered = await runNightly({
      store: kit.lake,
      engine,
      clock: kit.clock,
      date: '2026-11-23',
      failTenants: new Map([['tenant-000', 1]]),
    });
    await send(recovered);
    await writeRawLake(kit.lake, {
      tenants: 2,
      days: 1,
      lastDay: '2026-11-24',
      eventsPerTenantDay: 20,
      objectTag: 'b',
    });
    const failing = await runNightly({
      store: kit.lake,
      engine,
      clock: kit.clock,
      date: '2026-11-24',
      failTenants: new Set(['tenant-001']),
    });
    await send(failing);
    await send(failing); // the same run's summary again: deduplicated

    // Assess
    expect(recovered).toMatchObject({ failed: 0, failedTenants: [] });
    expect(failing.failedTenants).toEqual(['tenant-001']);
    const alerts = await kit.alerts();
    expect(alerts.map((a) => a.rule)).toEqual(['nightly_tenant_failed']);
    expect(alerts[0]?.message).toContain('tenant-001');
  });
});
