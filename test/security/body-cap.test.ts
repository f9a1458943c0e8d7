/**
 * D1: a body that declares no length (chunked) is read only up to the 6 MB limit, then refused
 * with 413: the edge never buffers a sender's whole upload.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorCode, type SecurityKit, securityKit } from './kit.js';

describe('local edge body cap', () => {
  let kit: SecurityKit;
  beforeAll(async () => {
    kit = await securityKit();
  });
  afterAll(async () => {
    await kit.close();
  });

  it('stops reading an endless chunked body past 6 MB and answers 413', async () => {
    const chunk = new Uint8Array(256 * 1024).fill(0x20);
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        if (pulled > 512 * 1024 * 1024)
          controller.close(); // a bound for the test, never reached
        else controller.enqueue(chunk);
      },
    });
    const token = await kit.token('acme-corp', 'ingest', 'pc-1');
    const res = await kit.app.request('http://127.0.0.1/v1/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: endless,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(errorCode(await res.json())).toBe('payload_too_large');
    expect(pulled).toBeLessThan(8 * 1024 * 1024);
  });
});
