/** Fault injection for the local nightly run (tests and demos): no environment variables involved. */
import type { ConversionEngine, PartitionSnapshot, StagedOutput } from '../../conversion/engine.js';
import { ConversionEngineError } from '../../conversion/errors.js';

/**
 * Fails the conversions of some tenants: a Set fails them every time, a Map fails each tenant
 * that many times and then lets it through.
 */
export class FaultInjectingEngine implements ConversionEngine {
  readonly name: string;
  readonly injected = new Map<string, number>();

  constructor(
    private readonly inner: ConversionEngine,
    private readonly faults: ReadonlySet<string> | ReadonlyMap<string, number>,
  ) {
    this.name = inner.name;
  }

  private shouldFail(tenantId: string): boolean {
    const done = this.injected.get(tenantId) ?? 0;
    if (this.faults instanceof Map) return done < (this.faults.get(tenantId) ?? 0);
    return (this.faults as ReadonlySet<string>).has(tenantId);
  }

  async materialize(snapshot: PartitionSnapshot): Promise<StagedOutput> {
    if (this.shouldFail(snapshot.tenantId)) {
      this.injected.set(snapshot.tenantId, (this.injected.get(snapshot.tenantId) ?? 0) + 1);
      throw new ConversionEngineError(`injected fault for ${snapshot.tenantId}/${snapshot.dt}`);
    }
    return this.inner.materialize(snapshot);
  }
}
