/**
 * The signed-in token: kept in sessionStorage only (never in a URL, never in localStorage),
 * removed on sign-out. The token's claims are read (not verified: the server does that) to show
 * the tenant and to send the user back to sign-in once it has expired.
 */

const KEY = 'oplake.searchToken';

export interface TokenInfo {
  tenant: string;
  scope: string;
  /** Expiry, ms since the epoch. */
  expiresAt: number;
}

export type TokenCheck =
  | { ok: true; info: TokenInfo }
  | { ok: false; reason: 'malformed' | 'expired' | 'notSearch'; scope?: string };

export function readClaims(token: string): TokenInfo | null {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json) as { tid?: unknown; scope?: unknown; exp?: unknown };
    if (typeof claims.scope !== 'string' || typeof claims.exp !== 'number') return null;
    return {
      tenant: typeof claims.tid === 'string' ? claims.tid : '',
      scope: claims.scope,
      expiresAt: claims.exp * 1000,
    };
  } catch {
    return null; // not base64url JSON: not a token
  }
}

export function checkToken(token: string, now: number): TokenCheck {
  const info = readClaims(token);
  if (info === null) return { ok: false, reason: 'malformed' };
  if (info.scope !== 'search') return { ok: false, reason: 'notSearch', scope: info.scope };
  if (info.expiresAt <= now) return { ok: false, reason: 'expired' };
  return { ok: true, info };
}

/** The part of sessionStorage this uses (a plain Map-like store in tests). */
export interface TokenStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const session = {
  get(storage: TokenStore): string | null {
    return storage.getItem(KEY);
  },
  set(storage: TokenStore, token: string): void {
    storage.setItem(KEY, token.trim());
  },
  clear(storage: TokenStore): void {
    storage.removeItem(KEY);
  },
};
