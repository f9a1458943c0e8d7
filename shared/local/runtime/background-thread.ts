/**
 * The entry of local mode's background thread (background-client.ts starts it): the split worker,
 * stream flushes and the dlq-sweeper (background.ts) on an event loop of their own, answering the
 * request thread's calls ({id, op, arg} in, {id, ok, value | error} out).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type Background, type BackgroundSettings, startBackground } from './background.js';
import type { BackgroundReply, BackgroundRequest } from './background-protocol.js';

const port = parentPort;
if (port === null) throw new Error('background-thread.ts runs as a worker thread (background-client.ts)');
const background: Background = await startBackground(workerData as BackgroundSettings);

async function answer(request: BackgroundRequest): Promise<unknown> {
  switch (request.op) {
    case 'splitOnce':
      return background.splitOnce(request.arg);
    case 'flush':
      return background.flush();
    case 'sweep':
      return background.sweep(request.arg);
    case 'alertNightly':
      return background.alertNightly(request.arg);
    case 'close':
      return background.close();
  }
}

port.on('message', (request: BackgroundRequest) => {
  answer(request).then(
    (value) => {
      port.postMessage({ id: request.id, ok: true, value } satisfies BackgroundReply);
      if (request.op === 'close') port.close();
    },
    (error: unknown) => {
      const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
      port.postMessage({ id: request.id, ok: false, error: { name, message } } satisfies BackgroundReply);
      if (request.op === 'close') port.close();
    },
  );
});
port.postMessage({ ready: true } satisfies BackgroundReply);
