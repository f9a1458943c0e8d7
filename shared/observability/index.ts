/**
 * Powertools Logger, Tracer and Metrics for one function. Every handler is wrapped with
 * `observe(...)` (below) so every log line carries the function's context and, once known, the
 * tenant id (`logger.appendKeys({ tenantId })`). In local mode the logger prints readable lines
 * and tracing is off; on Lambda it prints JSON and traces through X-Ray.
 */
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddyfiedHandler } from '@middy/core';

export { MetricUnit };

export interface Observability {
  logger: Logger;
  tracer: Tracer;
  metrics: Metrics;
}

export interface ObservabilityOptions {
  /** Local mode: readable log lines, no X-Ray, metrics to the log only. */
  local?: boolean;
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
}

/**
 * Local mode's logger: one readable line a record on stderr,
 * `12:00:01.123 INFO  ingest  accepted batch  tenantId=acme batchId=b-1`, instead of JSON.
 */
class ReadableLogger extends Logger {
  protected override printLog(_logLevel: number, log: LogItem): void {
    const { timestamp, level, service, message, ...rest } = log.getAttributes() as Record<string, unknown>;
    for (const key of [
      'sampling_rate',
      'xray_trace_id',
      'function_arn',
      'function_memory_size',
      'function_request_id',
    ]) {
      delete rest[key];
    }
    const time = typeof timestamp === 'string' ? timestamp.slice(11, 23) : '';
    const extras = Object.entries(rest)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v, errorReplacer)}`)
      .join(' ');
    process.stderr.write(
      `${time} ${String(level).padEnd(5)} ${String(service)}  ${String(message)}${extras ? `  ${extras}` : ''}\n`,
    );
  }

  protected override createLogger(options?: ConstructorParameters<typeof Logger>[0]): Logger {
    return new ReadableLogger(options);
  }
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}

/** Local mode emits no EMF metrics: nobody collects them and they drown the log. */
class LocalMetrics extends Metrics {
  protected override isDisabled(): boolean {
    return true;
  }

  override publishStoredMetrics(): this {
    this.clearMetrics();
    return this;
  }
}

export function createObservability(serviceName: string, options: ObservabilityOptions = {}): Observability {
  const loggerOptions = { serviceName, logLevel: options.logLevel ?? 'INFO' } as const;
  const logger = options.local ? new ReadableLogger(loggerOptions) : new Logger(loggerOptions);
  const tracer = new Tracer({ serviceName, enabled: !options.local });
  const metrics = options.local
    ? new LocalMetrics({ namespace: 'oplake', serviceName })
    : new Metrics({ namespace: 'oplake', serviceName });
  return { logger, tracer, metrics };
}

/** The standard Powertools middleware stack, applied the same way to every handler. */
// biome-ignore lint/suspicious/noExplicitAny: middy's handler generics are erased at this seam
export function observe<H extends MiddyfiedHandler<any, any, any, any>>(handler: H, obs: Observability): H {
  return handler
    .use(injectLambdaContext(obs.logger, { clearState: true }))
    .use(captureLambdaHandler(obs.tracer, { captureResponse: false }))
    .use(logMetrics(obs.metrics)) as H;
}
