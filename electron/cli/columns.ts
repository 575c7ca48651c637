// Terminal columns, not string length: a line longer than the terminal wraps and breaks the live
// block's redraw, and Chinese, Japanese or Korean names take two columns per character.
// Counting an uncertain character as wide only ever shortens a name a little more.
const WIDE =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Extended_Pictographic}\u3000-\u303f\uff00-\uff60\uffe0-\uffe6]/u;
const NONE = /[\p{Mn}\p{Me}\p{Cf}]/u;

function columnsOfChar(char: string): number {
  return WIDE.test(char) ? 2 : NONE.test(char) ? 0 : 1;
}

export function columnsOf(text: string): number {
  let total = 0;
  for (const char of text) total += columnsOfChar(char);
  return total;
}

/** `text` in exactly `width` columns: padded with spaces, or cut with an ellipsis. */
export function fitColumns(text: string, width: number): string {
  if (width <= 0) return '';
  const used = columnsOf(text);
  if (used <= width) return text + ' '.repeat(width - used);
  let out = '';
  let room = width - 1;
  for (const char of text) {
    const w = columnsOfChar(char);
    if (w > room) break;
    out += char;
    room -= w;
  }
  return `${out}…${' '.repeat(room)}`;
}
