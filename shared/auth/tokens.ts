/**
 * Tokens (CONTRACT.md "Tokens"): HS256 JWTs signed with the deployment's key set. The key set
 * holds several keys by `kid`; tokens are signed with the active one and verified with whichever
 * their header names, so a key can be rotated in without invalidating tokens already issued,
 * and retired by removing it.
 */
import { randomBytes } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { ID_PATTERN, TENANT_PATTERN } from '../domain/limits.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';

export const SCOPES = ['ingest', 'search', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface KeySet {
  activeKid: string;
  /** kid -> base64url secret (32 bytes). */
  keys: Record<string, string>;
}

/** Where a key set comes from: a file in local mode, an SSM SecureString on AWS. */
export interface KeySetSource {
  load(): Promise<KeySet>;
}

export interface TokenClaims {
  /** Null only for admin tokens. */
  tenantId: string | null;
  scope: Scope;
  /** Device id of an ingest token, when the token is a device's. */
  sub: string | null;
  /** Seconds since the epoch. */
  exp: number;
}

export interface TokenRequest {
  tenantId: string | null;
  scope: Scope;
  sub?: string;
  ttlSeconds: number;
}

const ALG = 'HS256';
const ISSUER = 'oplake';

export function newKeySet(kid = newKid()): KeySet {
  return { activeKid: kid, keys: { [kid]: randomBytes(32).toString('base64url') } };
}

/** Adds a fresh key and makes it the active one; older keys keep verifying until removed. */
export function rotateKeySet(keySet: KeySet, kid = newKid()): KeySet {
  return { activeKid: kid, keys: { ...keySet.keys, [kid]: randomBytes(32).toString('base64url') } };
}

function newKid(): string {
  return `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`;
}

export async function signToken(
  keySet: KeySet,
  request: TokenRequest,
  now: Date = new Date(),
): Promise<string> {
  if (request.scope === 'admin') {
    if (request.tenantId !== null) throw new RangeError('an admin token takes no tenant');
  } else if (request.tenantId === null || !TENANT_PATTERN.test(request.tenantId)) {
    throw new RangeError(`a ${request.scope} token needs a tenant id matching ${TENANT_PATTERN}`);
  }
  if (request.sub !== undefined && !ID_PATTERN.test(request.sub))
    throw new RangeError('device id is not valid');
  if (!Number.isInteger(request.ttlSeconds) || request.ttlSeconds <= 0)
    throw new RangeError('ttl must be positive');
  const secret = keySet.keys[keySet.activeKid];
  if (secret === undefined) throw new RangeError(`active key ${keySet.activeKid} is not in the key set`);
  const issuedAt = Math.floor(now.getTime() / 1000);
  const jwt = new SignJWT({
    scope: request.scope,
    ...(request.tenantId === null ? {} : { tid: request.tenantId }),
  })
    .setProtectedHeader({ alg: ALG, kid: keySet.activeKid, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + request.ttlSeconds);
  if (request.sub !== undefined) jwt.setSubject(request.sub);
  return jwt.sign(Buffer.from(secret, 'base64url'));
}

/** Verifies signature, `kid`, issuer, expiry and claim shapes; any failure is 401. */
export async function verifyToken(
  keySet: KeySet,
  token: string,
  now: Date = new Date(),
): Promise<TokenClaims> {
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        // Own keys only: a kid such as "constructor" must not reach Object.prototype.
        const secret =
          header.kid !== undefined && Object.hasOwn(keySet.keys, header.kid)
            ? keySet.keys[header.kid]
            : undefined;
        if (typeof secret !== 'string') throw new UnauthorizedError('token is signed with an unknown key');
        return Buffer.from(secret, 'base64url');
      },
      { algorithms: [ALG], issuer: ISSUER, currentDate: now, requiredClaims: ['exp', 'scope'] },
    );
    const scope = payload.scope;
    if (typeof scope !== 'string' || !(SCOPES as readonly string[]).includes(scope)) {
      throw new UnauthorizedError('token has no valid scope');
    }
    const tid = payload.tid;
    if (scope === 'admin') {
      if (tid !== undefined) throw new UnauthorizedError('admin token must not name a tenant');
    } else if (typeof tid !== 'string' || !TENANT_PATTERN.test(tid)) {
      throw new UnauthorizedError('token has no valid tenant');
    }
    if (payload.sub !== undefined && !ID_PATTERN.test(payload.sub))
      throw new UnauthorizedError('token sub is not valid');
    return {
      tenantId: typeof tid === 'string' ? tid : null,
      scope: scope as Scope,
      sub: payload.sub ?? null,
      exp: payload.exp ?? 0,
    };
  } catch (error) {
    if (error instanceof UnauthorizedError) throw error;
    if (error instanceof joseErrors.JWTExpired)
      throw new UnauthorizedError('token has expired', { cause: error });
    if (error instanceof joseErrors.JOSEError)
      throw new UnauthorizedError('token is not valid', { cause: error });
    throw error;
  }
}

/** Reads `Authorization: Bearer <jwt>`; a missing or malformed header is 401. */
export function bearerToken(headers: Record<string, string | undefined>): string {
  const value = headers.authorization ?? headers.Authorization;
  if (value === undefined) throw new UnauthorizedError('missing Authorization header');
  const match = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/i.exec(value);
  if (!match?.[1]) throw new UnauthorizedError('Authorization must be "Bearer <token>"');
  return match[1];
}

/** A token of another scope is 403. Returns the tenant for tenant scopes. */
export function requireScope(claims: TokenClaims, scope: Exclude<Scope, 'admin'>): string;
export function requireScope(claims: TokenClaims, scope: 'admin'): null;
export function requireScope(claims: TokenClaims, scope: Scope): string | null {
  if (claims.scope !== scope) throw new ForbiddenError(`this route needs a token of scope ${scope}`);
  return claims.tenantId;
}

/** Parses `30d`, `12h`, `15m`, `3600s` or plain seconds. */
export function parseTtl(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match?.[1]) throw new RangeError(`not a duration: ${text} (use e.g. 30d, 12h, 15m)`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] ?? ''] ?? 1;
  const seconds = Number(match[1]) * unit;
  if (seconds <= 0) throw new RangeError('ttl must be positive');
  return seconds;
}
