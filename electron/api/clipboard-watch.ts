import type { Category } from '../../shared/api/settings.ts';
import type { ProbeResult } from '../../shared/api/commands.ts';

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const MAX_TEXT = 64 * 1024;
const MAX_LINKS = 20;
/** Extensions worth offering beyond the categories (which cover the common ones). */
const EXTRA_EXTENSIONS = ['bin', 'img', 'torrent', 'jar', 'whl', 'gem', 'crx', 'xpi', 'vsix'];

export interface ClipboardWatchOptions {
  read(): string | Promise<string>;
  offer(urls: string[]): void;
  /** Asks the server about links without a telling extension; null when it cannot be reached. */
  probe(url: string): Promise<ProbeResult | null>;
  categories(): readonly Category[];
}

/**
 * Looks at the clipboard when asked (the shell polls it while the setting is on) and offers new
 * links to files: by extension, or, for extension-less links, when the server says it is not a
 * web page. It never adds anything itself; the user confirms in the add dialog.
 */
export class ClipboardWatch {
  readonly #options: ClipboardWatchOptions;
  #last: string | null = null;
  readonly #seen = new Set<string>();

  constructor(options: ClipboardWatchOptions) {
    this.#options = options;
  }

  async check(): Promise<void> {
    const text = (await this.#options.read()).slice(0, MAX_TEXT);
    // The clipboard as it was when watching began is not news.
    if (this.#last === null || text === this.#last) {
      this.#last = text;
      return;
    }
    this.#last = text;
    const links = [...new Set(text.match(URL_IN_TEXT) ?? [])]
      .map((u) => u.replace(/[.,;:!?)\]}]+$/, ''))
      .filter((u) => !this.#seen.has(u))
      .slice(0, MAX_LINKS);
    const offered: string[] = [];
    for (const link of links) {
      this.#seen.add(link);
      if (await this.#isFile(link)) offered.push(link);
    }
    if (offered.length) this.#options.offer(offered);
  }

  async #isFile(link: string): Promise<boolean> {
    let path: string;
    try {
      path = new URL(link).pathname;
    } catch {
      return false;
    }
    const extension = /\.([a-z0-9]{1,16})$/i.exec(path)?.[1]?.toLowerCase();
    if (extension) {
      if (['html', 'htm', 'php', 'asp', 'aspx', 'jsp'].includes(extension)) return false;
      const known = this.#options.categories().some((c) => c.extensions.includes(extension));
      if (known || EXTRA_EXTENSIONS.includes(extension)) return true;
    }
    const probed = await this.#options.probe(link);
    return probed !== null && !/^text\/html|^application\/xhtml/i.test(probed.contentType ?? '');
  }
}
