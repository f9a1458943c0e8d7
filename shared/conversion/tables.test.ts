import { describe, expect, it } from '@jest/globals';
import { STORED_COLUMNS } from '../domain/event.js';
import { DATA_COLUMNS, GLUE_TABLES, PARTITION_KEYS } from './tables.js';

describe('Glue table facts', () => {
  it('data columns are the stored columns minus the partition keys, in order', () => {
    expect([...DATA_COLUMNS, ...PARTITION_KEYS].sort()).toEqual([...STORED_COLUMNS].sort());
    expect(DATA_COLUMNS).toEqual(STORED_COLUMNS.filter((c) => c !== 'tenant_id' && c !== 'dt'));
    expect(GLUE_TABLES.events.columns.find((c) => c.name === 'duration_ms')?.type).toBe('bigint');
    expect(GLUE_TABLES.raw.columns.filter((c) => c.type !== 'string')).toEqual([
      { name: 'duration_ms', type: 'bigint' },
      { name: 'event_pos', type: 'int' },
    ]);
    // Parquet: typed timestamps (ms) for ts and received_at.
    expect(GLUE_TABLES.events.columns.filter((c) => c.type !== 'string')).toEqual([
      { name: 'ts', type: 'timestamp' },
      { name: 'duration_ms', type: 'bigint' },
      { name: 'received_at', type: 'timestamp' },
      { name: 'event_pos', type: 'int' },
    ]);
  });

  it('both tables project an injected tenant and a date over their own prefix', () => {
    for (const table of Object.values(GLUE_TABLES)) {
      expect(table.partitionKeys).toEqual([
        { name: 'tenant_id', type: 'string' },
        { name: 'dt', type: 'string' },
      ]);
      expect(table.parameters).toMatchObject({
        'projection.enabled': 'true',
        'projection.tenant_id.type': 'injected',
        'projection.dt.type': 'date',
        'projection.dt.format': 'yyyy-MM-dd',
        'projection.dt.range': '2020-01-01,NOW',
        'storage.location.template': `s3://\${bucket}/${table.prefix}tenant_id=\${tenant_id}/dt=\${dt}/`,
      });
    }
    expect([GLUE_TABLES.raw.name, GLUE_TABLES.raw.prefix]).toEqual(['raw_events', 'raw/']);
    expect([GLUE_TABLES.events.name, GLUE_TABLES.events.prefix]).toEqual(['events_v2', 'parquet-v2/']);
    // The previous layout keeps its deployed name, location and text types.
    expect([GLUE_TABLES.legacy.name, GLUE_TABLES.legacy.prefix]).toEqual(['events', 'parquet/']);
    expect(GLUE_TABLES.legacy.columns).toEqual(GLUE_TABLES.raw.columns);
  });
});
