/**
 * Local mode's alert channel (SNS on AWS): one JSON line per alert in `<dir>/alerts.jsonl`
 * (fsynced), and a WARN line in the server's log.
 */
import { appendFile, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Alert, Alerter } from '../../dlq/ports.js';
import type { Clock } from '../../ports/clock.js';

export interface AlertLogger {
  warn(message: string, extra?: Record<string, unknown>): void;
}

export class FileAlerter implements Alerter {
  constructor(
    readonly dir: string,
    private readonly clock: Clock,
    private readonly logger: AlertLogger,
  ) {}

  get path(): string {
    return join(this.dir, 'alerts.jsonl');
  }

  async publish(alert: Alert): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await appendFile(this.path, `${JSON.stringify({ at: this.clock.now().toISOString(), ...alert })}\n`);
    const handle = await open(this.path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.logger.warn(alert.subject, { rule: alert.rule, key: alert.key });
  }
}
