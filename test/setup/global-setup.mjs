// Starts one moto_server on 127.0.0.1 for the whole jest run, unless OPLAKE_MOTO_ENDPOINT names
// one already running. Suites that talk to AWS adapters read OPLAKE_MOTO_ENDPOINT.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { realClockEnv } from './real-clock-env.mjs';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitUntilUp(url, child, deadlineMs) {
  const started = Date.now();
  while (Date.now() - started < deadlineMs) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/moto-api/`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`moto_server did not answer at ${url} within ${deadlineMs} ms`);
}

export default async function globalSetup() {
  if (process.env.OPLAKE_MOTO_ENDPOINT) return;
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
    detached: false,
    env: { ...realClockEnv(process.env), MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(url, child, 30000);
  process.env.OPLAKE_MOTO_ENDPOINT = url;
  process.env.AWS_ACCESS_KEY_ID ??= 'testing';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
  process.env.AWS_REGION ??= 'ap-northeast-1';
  globalThis.__OPLAKE_MOTO__ = child;
}
