/**
 * Parses a card strictly. xmldom alone is lenient: it reports some errors only
 * as warnings, and accepts a raw `&`, control characters and lone surrogates
 * without a word. So every report (warning, error, fatal error) throws, and the
 * text is scanned first for what XML 1.0 forbids, so a test sees a malformed card.
 */
import { DOMParser, type Document } from '@xmldom/xmldom';

/** A character outside XML 1.0's `Char` production (C0 controls but tab, LF, CR; lone surrogates; U+FFFE/F). */
const FORBIDDEN_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
/** An `&` that does not start one of the five predefined entities or a character reference: an SVG has no DTD to declare others. */
const RAW_AMPERSAND = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)/;

/** Why `text` is not well-formed XML by the checks xmldom skips, or null. */
export function xmlProblem(text: string): string | null {
  const forbidden = FORBIDDEN_CHAR.exec(text);
  if (forbidden) {
    const code = forbidden[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return `a character XML forbids (U+${code}) at ${forbidden.index}`;
  }
  const amp = RAW_AMPERSAND.exec(text);
  if (amp) return `a raw '&' at ${amp.index}: ${JSON.stringify(text.slice(amp.index, amp.index + 12))}`;
  // `]]>` may only end a CDATA section; in text it must be written `]]&gt;`.
  const outsideCdata = text.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  const cdataEnd = outsideCdata.indexOf(']]>');
  if (cdataEnd !== -1) return `']]>' outside a CDATA section near ${JSON.stringify(outsideCdata.slice(cdataEnd - 12, cdataEnd + 3))}`;
  return null;
}

export function parseSvg(text: string): Document {
  const problem = xmlProblem(text);
  if (problem) throw new Error(`The card is not well-formed XML: ${problem}`);
  const parser = new DOMParser({
    onError: (level, message) => {
      // U+FFFD is legal XML, and the card's own stand-in for a character XML forbids; xmldom only guesses at an encoding slip.
      if (level === 'warning' && message.startsWith('Unicode replacement character detected')) return;
      throw new Error(`The card is not well-formed XML (${level}): ${message}`);
    },
  });
  const doc = parser.parseFromString(text, 'image/svg+xml');
  if (doc.documentElement?.localName !== 'svg') throw new Error('The card has no <svg> root.');
  return doc;
}

/** Every text the card draws, one string per <text> element, in order. */
export function textsOf(doc: Document): string[] {
  return Array.from(doc.getElementsByTagName('text'), (node) => node.textContent ?? '');
}

/** A data URI of `bytes` made-up bytes: picture sizes matter to the card, their content does not. */
export function fakePicture(bytes: number): string {
  return `data:image/jpeg;base64,${Buffer.alloc(bytes, 7).toString('base64')}`;
}
