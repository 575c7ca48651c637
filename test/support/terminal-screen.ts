/**
 * The screen and scrollback a terminal of `rows` lines would show for some output, for the
 * escape sequences braid's live block uses: cursor up to the start of a line (CSI n F), erase
 * the line (CSI 2K), erase below (CSI J), carriage return and line feed. A line feed on the
 * bottom row scrolls the top line into the scrollback; the cursor goes up no further than the
 * top row, as on a real terminal. Lines are taken to fit the width (the block fits them).
 */
export class TerminalScreen {
  readonly scrollback: string[] = [];
  readonly lines: string[];
  #row = 0;
  #col = 0;

  constructor(rows: number) {
    this.lines = Array.from({ length: rows }, () => '');
  }

  write(text: string): void {
    // eslint-disable-next-line no-control-regex -- reading escape sequences is the point
    const tokens = /\x1b\[(\d*)([A-Za-z])|\r|\n|[^\x1b\r\n]+/g;
    for (const [token, count, command] of text.matchAll(tokens)) {
      if (command === 'F') {
        this.#row = Math.max(0, this.#row - Number(count || 1));
        this.#col = 0;
      } else if (command === 'K') {
        this.lines[this.#row] = '';
      } else if (command === 'J') {
        this.lines[this.#row] = this.lines[this.#row]!.slice(0, this.#col);
        for (let r = this.#row + 1; r < this.lines.length; r++) this.lines[r] = '';
      } else if (command !== undefined) {
        // Other sequences move nothing braid's block relies on.
      } else if (token === '\r') {
        this.#col = 0;
      } else if (token === '\n') {
        this.#lineFeed();
      } else {
        const line = this.lines[this.#row]!.padEnd(this.#col);
        this.lines[this.#row] =
          line.slice(0, this.#col) + token + line.slice(this.#col + token.length);
        this.#col += token.length;
      }
    }
  }

  #lineFeed(): void {
    if (this.#row < this.lines.length - 1) {
      this.#row++;
      return;
    }
    this.scrollback.push(this.lines.shift()!);
    this.lines.push('');
  }
}
