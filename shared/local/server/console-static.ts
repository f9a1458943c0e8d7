/**
 * The admin console's static files in local mode: `GET /` is index.html, `GET /<file>` a file of
 * the built console folder (console/build.mjs). Only names of that folder are served (no path
 * walks); every answer carries the same security headers as the deployed static site
 * (terraform/modules/static-site), so the browser tests run under the real Content-Security-Policy.
 */
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** The console's Content-Security-Policy; `connect` adds the API's origin when it is another one. */
export function consoleCsp(connect = "'self'"): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const CONSOLE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': consoleCsp(),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
});

/** Answers a GET/HEAD for a console file, or null when the path is not one. */
export type ConsoleFiles = (method: string, path: string) => Promise<Response | null>;

export async function consoleFiles(dir: string): Promise<ConsoleFiles> {
  const names = new Set(await readdir(dir));
  return async (method, path) => {
    if (method !== 'GET' && method !== 'HEAD') return null;
    const name = path === '/' ? 'index.html' : path.slice(1);
    if (!names.has(name)) return null;
    const body = await readFile(join(dir, name));
    const headers = {
      ...CONSOLE_HEADERS,
      'content-type': TYPES[extname(name)] ?? 'application/octet-stream',
    };
    return new Response(method === 'HEAD' ? null : body, { status: 200, headers });
  };
}
