import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filenameFromContentDisposition as parse } from '../../electron/engine/content-disposition.ts';

/** Undici hands header bytes over as latin1 characters; this is what a raw UTF-8 header looks like. */
const asLatin1 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

// Cases from RFC 6266 §5 and the greenbytes tc2231 suite, with the answer browsers give.
const TABLE: [header: string | null, expected: string | null, why: string][] = [
  [null, null, 'no header'],
  ['inline', null, 'inline without a name'],
  ['attachment', null, 'attachment without a name'],
  ['inline; filename="foo.html"', 'foo.html', 'inline with a name'],
  ['attachment; filename="foo.html"', 'foo.html', 'quoted'],
  ['attachment; filename=foo.html', 'foo.html', 'token'],
  ['ATTACHMENT; FILENAME="foo.html"', 'foo.html', 'case-insensitive names'],
  ['attachment; filename="f\\oo.html"', 'foo.html', 'backslash escapes a plain character'],
  ['attachment; filename="\\"quoting\\" tested.html"', '"quoting" tested.html', 'escaped quotes'],
  [
    'attachment; filename="Here\'s a semicolon;.html"',
    "Here's a semicolon;.html",
    'semicolon inside quotes',
  ],
  ['attachment; foo="bar"; filename="foo.html"', 'foo.html', 'other parameters first'],
  ['attachment; filename="foo.html"; foo="bar"', 'foo.html', 'other parameters after'],
  [
    'attachment; filename="foo-%41.html"',
    'foo-%41.html',
    'percent in plain filename is not decoded',
  ],
  ['attachment; filename="foo.html";', 'foo.html', 'trailing semicolon'],
  ['filename="foo.html"', 'foo.html', 'missing disposition type'],
  ['attachment; filename=foo bar.html', 'foo bar.html', 'unquoted with a space'],
  ["attachment; filename*=UTF-8''foo-%c3%a4.html", 'foo-ä.html', 'RFC 8187 UTF-8'],
  ["attachment; filename*=UTF-8''%e2%82%ac%20rates", '€ rates', 'RFC 6266 euro example'],
  ["attachment; filename*=iso-8859-1''foo-%E4.html", 'foo-ä.html', 'ISO-8859-1'],
  ["attachment; filename*=UTF-8'en'foo-%c3%a4.html", 'foo-ä.html', 'with a language tag'],
  [
    `attachment; filename="EURO rates"; filename*=utf-8''%e2%82%ac%20rates`,
    '€ rates',
    'filename* wins when last',
  ],
  [
    `attachment; filename*=utf-8''%e2%82%ac%20rates; filename="EURO rates"`,
    '€ rates',
    'filename* wins when first',
  ],
  [
    'attachment; filename*=UTF-8\'\'foo-%c3.html; filename="fallback.html"',
    'fallback.html',
    'invalid UTF-8 in filename* falls back',
  ],
  [
    'attachment; filename*=x-unknown\'\'foo; filename="fallback.html"',
    'fallback.html',
    'unknown charset falls back',
  ],
  ["attachment; filename*=''foo.html", null, 'empty charset is invalid'],
  ["attachment; filename*=UTF-8''foo%20bar%zz.html", null, 'bad percent-encoding is invalid'],
  [
    'attachment; filename="=?UTF-8?Q?foo-=C3=A4.html?="',
    '=?UTF-8?Q?foo-=C3=A4.html?=',
    'RFC 2047 is not decoded',
  ],
  [
    `attachment; filename="${asLatin1('naïve café.pdf')}"`,
    'naïve café.pdf',
    'raw UTF-8 bytes are recovered',
  ],
  [`attachment; filename="${'foo-\u00e4.html'}"`, 'foo-ä.html', 'real latin1 stays latin1'],
  ['attachment; filename=""', null, 'empty name'],
  ['attachment; filename="a.html"; filename="b.html"', 'a.html', 'duplicate: the first wins'],
];

describe('Content-Disposition file names', () => {
  for (const [header, expected, why] of TABLE) {
    it(`${why}: ${JSON.stringify(header)}`, () => {
      assert.equal(parse(header), expected);
    });
  }
});
