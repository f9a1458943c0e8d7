/**
 * Headless Chromium for the console suites: Debian's `chromium` (on PATH, or CHROMIUM_PATH)
 * driven by playwright-core, with the flags this closed network needs (../shared/FACTS.md).
 * Screenshots go to test/console/screenshots/ (git-ignored) for people to look at.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { REPO_ROOT } from '../e2e/local-server.js';

export const SCREENSHOTS = join(REPO_ROOT, 'test', 'console', 'screenshots');

function chromiumPath(): string {
  const explicit = process.env.CHROMIUM_PATH;
  if (explicit) return explicit;
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch (error) {
    throw new Error('Chromium is required for the console tests: apt-get install -y chromium', {
      cause: error,
    });
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
