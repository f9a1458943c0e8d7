/**
 * For the adapters' tests: SDK client settings pointing at the moto_server that jest's
 * globalSetup started (OPLAKE_MOTO_ENDPOINT), and unique resource names per test.
 */
import { randomBytes } from 'node:crypto';

export function motoEndpoint(): string {
  const endpoint = process.env.OPLAKE_MOTO_ENDPOINT;
  if (endpoint === undefined || endpoint === '') {
    throw new Error(
      'OPLAKE_MOTO_ENDPOINT is not set: run these tests through jest (globalSetup starts moto_server)',
    );
  }
  return endpoint;
}

export function motoClientConfig(): {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  maxAttempts: number;
} {
  return {
    endpoint: motoEndpoint(),
    region: process.env.AWS_REGION ?? 'ap-northeast-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  };
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
