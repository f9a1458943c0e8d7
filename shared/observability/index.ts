/**
 * Powertools Logger, Tracer and Metrics for one function. Every handler is wrapped with
 * `observe(...)` (below) so every log line carries the function's context and, once known, the
 * tenant id (`logger.appendKeys({ tenantId })`). In local mode the logger prints readable lines
 * and tracing is off; on Lambda it prints JSON and traces through X-Ray.
 */
import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
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

/** One line a record, for people: `12:00:01.123 INFO  ingest  accepted batch  {"tenantId":"acme"}`. */
class ReadableFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const time = attributes.timestamp.toISOString().slice(11, 23);
    const extras = { ...additional };
    const line = `${time} ${attributes.logLevel.padEnd(5)} ${attributes.serviceName}  ${String(attributes.message)}`;
    return new LogItem({ attributes: { line, ...(Object.keys(extras).length ? { extras } : {}) } });
  }
}

export function createObservability(serviceName: string, options: ObservabilityOptions = {}): Observability {
  const logger = new Logger({
    serviceName,
    logLevel: options.logLevel ?? 'INFO',
    ...(options.local ? { logFormatter: new ReadableFormatter() } : {}),
  });
  const tracer = new Tracer({ serviceName, enabled: !options.local });
  const metrics = new Metrics({ namespace: 'oplake', serviceName });
  if (options.local) metrics.setDefaultDimensions({ mode: 'local' });
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
