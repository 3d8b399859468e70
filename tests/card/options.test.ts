/** /card.svg's query: every option checked, a bad one named in a bad_request. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CARD_OPTIONS, parseCardOptions } from '../../src/lib/card/options';

describe('parseCardOptions', () => {
  it('reads every option, hex colours with #, %23 or neither', () => {
    const parsed = parseCardOptions('?theme=forest&layout=compact&top_artists=on&range=long_term&limit=3&accent=%237C3AED&radius=0&background=transparent');
    expect(parsed).toEqual({
      ok: true,
      value: { theme: 'forest', layout: 'compact', topArtists: true, range: 'long_term', limit: 3, accent: '#7c3aed', radius: 0, background: 'transparent' },
    });
    expect(parseCardOptions('?accent=1db954&background=fff')).toMatchObject({ value: { accent: '#1db954', background: '#ffffff' } });
    expect(parseCardOptions('')).toEqual({ ok: true, value: DEFAULT_CARD_OPTIONS });
  });

  it('refuses, naming the option: unknown, repeated, empty, and each bad value', () => {
    const cases: [string, string][] = [
      ['?colour=red', 'colour'],
      ['?theme=dark&theme=light', 'theme'],
      ['?layout=', 'layout'],
      ['?theme=neon', 'theme'],
      ['?layout=grid', 'layout'],
      ['?top_artists=yes', 'top_artists'],
      ['?range=forever', 'range'],
      ['?limit=6', 'limit'],
      ['?limit=05', 'limit'],
      ['?accent=red', 'accent'],
      ['?accent=%23abcd', 'accent'],
      ['?radius=41', 'radius'],
      ['?radius=-1', 'radius'],
      ['?background=none', 'background'],
    ];
    for (const [query, name] of cases) {
      const parsed = parseCardOptions(query);
      expect(parsed.ok, query).toBe(false);
      if (!parsed.ok) {
        expect(parsed.error.code).toBe('bad_request');
        expect(parsed.error.message, query).toContain(name);
      }
    }
  });
});
