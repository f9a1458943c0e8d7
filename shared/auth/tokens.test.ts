/**
 * Tokens under attack (docs/security.md, S1-S4, E1): every way a token can be wrong is refused
 * with the contract's status, and key rotation keeps old tokens valid exactly while their key is
 * in the key set.
 */
import { describe, expect, it } from '@jest/globals';
import { SignJWT, UnsecuredJWT } from 'jose';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import { type KeySet, newKeySet, requireScope, rotateKeySet, signToken, verifyToken } from './tokens.js';

const NOW = new Date('2026-11-24T01:00:00.000Z');
const nowSeconds = NOW.getTime() / 1000;
const keySet: KeySet = newKeySet('k1');
const secret = (kid: string, set: KeySet = keySet) => Buffer.from(set.keys[kid] ?? '', 'base64url');

/** A token with chosen header and claims, signed HS256 with `key` (the deployment's by default). */
function craft(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'HS256', kid: 'k1', typ: 'JWT' },
  key: Uint8Array = secret('k1'),
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key);
}

const valid = {
  iss: 'oplake',
  scope: 'ingest',
  tid: 'acme-corp',
  sub: 'pc-001',
  iat: nowSeconds,
  exp: nowSeconds + 600,
};

async function refusal(token: string, set: KeySet = keySet, at: Date = NOW): Promise<unknown> {
  return verifyToken(set, token, at).then(
    () => 'accepted',
    (error: unknown) => error,
  );
}

describe('verifyToken refuses (401 unauthorized)', () => {
  it('accepts the well-formed token the cases below differ from', async () => {
    await expect(verifyToken(keySet, await craft(valid), NOW)).resolves.toMatchObject({
      tenantId: 'acme-corp',
      scope: 'ingest',
      sub: 'pc-001',
    });
  });

  it.each<[string, () => Promise<string>]>([
    [
      'a forged signature (same kid, another secret)',
      () => craft(valid, undefined, secret('k1', newKeySet('k1'))),
    ],
    [
      'a payload changed after signing (tenant swapped, signature kept)',
      async () => {
        const [header, , signature] = (await craft(valid)).split('.');
        const payload = Buffer.from(JSON.stringify({ ...valid, tid: 'other-corp' })).toString('base64url');
        return `${header}.${payload}.${signature}`;
      },
    ],
    ['alg: none (unsigned)', async () => new UnsecuredJWT(valid).encode()],
    [
      'alg: none with a kid and an empty signature',
      async () =>
        `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'k1', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(valid)).toString('base64url')}.`,
    ],
    ['another HMAC algorithm (HS512) with the right key', () => craft(valid, { alg: 'HS512', kid: 'k1' })],
    ['an unknown kid', () => craft(valid, { alg: 'HS256', kid: 'k-unknown' })],
    ['no kid', () => craft(valid, { alg: 'HS256' })],
    ['a kid naming an inherited property', () => craft(valid, { alg: 'HS256', kid: 'constructor' })],
    ['an expired token', () => craft({ ...valid, iat: nowSeconds - 7200, exp: nowSeconds - 1 })],
    ['no expiry', () => craft({ ...valid, exp: undefined })],
    ['a token not valid yet (nbf in the future)', () => craft({ ...valid, nbf: nowSeconds + 3600 })],
    ['another issuer', () => craft({ ...valid, iss: 'someone-else' })],
    ['an unknown scope', () => craft({ ...valid, scope: 'root' })],
    ['no scope', () => craft({ ...valid, scope: undefined })],
    ['a tenant scope without a tenant', () => craft({ ...valid, tid: undefined })],
    ['a tenant id outside the contract pattern', () => craft({ ...valid, tid: '../acme-corp' })],
    ['a tenant id that is not a string', () => craft({ ...valid, tid: ['acme-corp', 'other-corp'] })],
    ['an admin token naming a tenant', () => craft({ ...valid, scope: 'admin', tid: 'acme-corp' })],
    ['a device id outside the contract pattern', () => craft({ ...valid, sub: 'pc 001/..' })],
    ['a truncated token', async () => (await craft(valid)).slice(0, -5)],
  ])('%s', async (_name, make) => {
    const error = await refusal(await make());
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as UnauthorizedError).status).toBe(401);
  });
});

describe('scope and tenant', () => {
  it('answers 403 to a token of another scope on every tenant route', async () => {
    for (const [scope, route] of [
      ['search', 'ingest'],
      ['ingest', 'search'],
      ['admin', 'search'],
      ['admin', 'ingest'],
    ] as const) {
      const claims = await verifyToken(
        keySet,
        await signToken(
          keySet,
          { tenantId: scope === 'admin' ? null : 'acme-corp', scope, ttlSeconds: 60 },
          NOW,
        ),
        NOW,
      );
      expect(() => requireScope(claims, route)).toThrow(ForbiddenError);
    }
  });

  it('takes the tenant from the verified token only (an ingest token of B is B)', async () => {
    const claims = await verifyToken(
      keySet,
      await signToken(keySet, { tenantId: 'other-corp', scope: 'ingest', ttlSeconds: 60 }, NOW),
      NOW,
    );
    expect(requireScope(claims, 'ingest')).toBe('other-corp');
  });
});

describe('key rotation', () => {
  it('keeps a token of the previous key valid during the overlap, and refuses it once the key is retired', async () => {
    const before = newKeySet('k-old');
    const oldToken = await signToken(
      before,
      { tenantId: 'acme-corp', scope: 'search', ttlSeconds: 3600 },
      NOW,
    );

    const rotated = rotateKeySet(before, 'k-new');
    const newToken = await signToken(
      rotated,
      { tenantId: 'acme-corp', scope: 'search', ttlSeconds: 3600 },
      NOW,
    );
    expect(JSON.parse(Buffer.from(newToken.split('.')[0] ?? '', 'base64url').toString()).kid).toBe('k-new');
    await expect(verifyToken(rotated, oldToken, NOW)).resolves.toMatchObject({ tenantId: 'acme-corp' });
    await expect(verifyToken(rotated, newToken, NOW)).resolves.toMatchObject({ tenantId: 'acme-corp' });

    const { 'k-old': _retired, ...remaining } = rotated.keys;
    const retired: KeySet = { activeKid: 'k-new', keys: remaining };
    expect(await refusal(oldToken, retired)).toBeInstanceOf(UnauthorizedError);
    await expect(verifyToken(retired, newToken, NOW)).resolves.toMatchObject({ tenantId: 'acme-corp' });
  });
});
