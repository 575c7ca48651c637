import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const RENDERER = new URL('../../dist/renderer/index.html', import.meta.url).pathname;

/** Where the end-to-end tests save their screenshots. */
export const ARTIFACTS = new URL('../../test-results/e2e/', import.meta.url).pathname;

/**
 * Debian's Chromium, headless, for tests of the built web UI: says what to do when the UI is not
 * built or Chromium is missing (`npx playwright install` cannot download browsers here).
 */
export async function launchChromium(): Promise<Browser> {
  assert.ok(existsSync(RENDERER), 'the web UI is not built: run npm run build:renderer first');
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  await mkdir(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
