import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { tempDir } from './fixtures.ts';
import { startServeProcess, type ServeProcess } from './serve-process.ts';

/** The real `braid serve` on a fresh home and downloads folder, its page open in Chromium. */
export interface UiSession {
  serve: ServeProcess;
  browser: Browser;
  page: Page;
  downloads: string;
  /** Closes the browser, stops braid serve and removes the folders; braid serve's exit code. */
  close(): Promise<number | null>;
}

/** `watch` sees the page before it loads (error listeners). */
export async function openUiSession(
  name: string,
  viewport: { width: number; height: number },
  watch?: (page: Page) => void,
): Promise<UiSession> {
  const dirs = await tempDir(`braid-${name}-`);
  const downloads = join(dirs.path, 'downloads');
  const serve = await startServeProcess(['--dir', downloads], {
    BRAID_HOME: join(dirs.path, 'home'),
  });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport });
  watch?.(page);
  await page.goto(serve.url);
  return {
    serve,
    browser,
    page,
    downloads,
    async close() {
      await browser.close();
      const code = await serve.stop();
      await dirs.cleanup();
      return code;
    },
  };
}

/** The list's row of the download named `name`. */
export function taskRow(page: Page, name: string): Locator {
  return page.getByRole('grid', { name: 'Downloads' }).getByRole('row').filter({ hasText: name });
}
