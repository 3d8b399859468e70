/** Parses a card strictly: any XML error (not only a fatal one) throws, so a test sees a malformed card. */
import { DOMParser, type Document } from '@xmldom/xmldom';

export function parseSvg(text: string): Document {
  const parser = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') throw new Error(`The card is not well-formed XML (${level}): ${message}`);
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
