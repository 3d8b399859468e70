/**
 * The card's SVG, pure: well-formed in every scenario and for every option,
 * hostile names as text, nothing pointing outside the file, and within its
 * size budget at the pictures' caps.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CARD_OPTIONS, type CardOptions } from '../../src/lib/card/options';
import { SPOTIFY_ICON_PATH } from '../../src/lib/brand';
import { fit, renderCard, renderMessage, type CardImages } from '../../src/lib/card/render';
import { AVATAR_MAX_BYTES, COVER_MAX_BYTES } from '../../src/lib/spotify/limits';
import type { Listening } from '../../src/lib/spotify/types';
import { SCENARIO_NAMES, type ScenarioName } from '../../test-support/fake-spotify/scenarios';
import { HOSTILE_TRACK } from '../../test-support/fixtures';
import { scenarioStart } from '../../test-support/widget-states';
import { TEST_NOW } from '../mocks/spotify';
import { fakePicture, parseSvg, textsOf } from './svg';

// 'hung' ends like 'down', with no data, only after the read timeouts.
const SCENARIOS = SCENARIO_NAMES.filter((name) => name !== 'hung');
const data = new Map<ScenarioName, Listening | null>();
beforeAll(async () => {
  const starts = await Promise.all(SCENARIOS.map((scenario) => scenarioStart(scenario, TEST_NOW)));
  SCENARIOS.forEach((scenario, i) => data.set(scenario, starts[i]!.initial));
});

const now = TEST_NOW.getTime() + 42_000;
const card = (scenario: ScenarioName, options: Partial<CardOptions> = {}, images: CardImages = new Map()) =>
  renderCard({ listening: data.get(scenario)!, options: { ...DEFAULT_CARD_OPTIONS, ...options }, images, now });

/** Every picture the data names, at `bytes` each. */
function pictures(listening: Listening | null, cover: number, avatar: number): CardImages {
  const map = new Map<string, string>();
  if (listening?.nowPlaying?.imageUrl) map.set(listening.nowPlaying.imageUrl, fakePicture(cover));
  for (const artist of listening?.topArtists ?? []) if (artist.imageUrl) map.set(artist.imageUrl, fakePicture(avatar));
  return map;
}

describe('renderCard: the attribution Spotify asks for', () => {
  it('carries the Spotify icon from simple-icons in both layouts, with the word where there is room, in every state', () => {
    for (const scenario of ['playing', 'down'] as const) {
      const full = card(scenario, { topArtists: true });
      const compact = card(scenario, { layout: 'compact' });
      for (const svg of [full, compact]) expect(svg, scenario).toContain(`<path d="${SPOTIFY_ICON_PATH}"/>`);
      expect(textsOf(parseSvg(full)), `${scenario}: the word beside the icon`).toContain('Spotify');
      expect(textsOf(parseSvg(compact)), `${scenario}: the icon alone in the compact layout`).not.toContain('Spotify');
      for (const svg of [full, compact]) expect(textsOf(parseSvg(svg)), `${scenario}: no Last.fm credit`).not.toContain('Last.fm');
    }
  });

  it("credits Last.fm's data to Last.fm by name in the mark's place, with no Spotify mark and no link, whatever its profileUrl", () => {
    const profiles = ['https://www.last.fm/user/test-listener', 'javascript:alert(1)', 'https://evil.example/"><a href="x'];
    for (const scenario of ['playing', 'empty_history'] as const) {
      for (const profileUrl of profiles) {
        const listening: Listening = { ...data.get(scenario)!, service: 'lastfm', profileUrl };
        for (const layout of ['card', 'compact'] as const) {
          const svg = renderCard({ listening, options: { ...DEFAULT_CARD_OPTIONS, layout, topArtists: true }, images: new Map(), now });
          const where = `${scenario} ${layout} ${profileUrl}`;
          const doc = parseSvg(svg);
          const credit = [...doc.getElementsByTagName('text')].find((text) => text.textContent === 'Last.fm');
          expect(credit, `${where}: the name`).toBeDefined();
          expect(credit!.getAttribute('text-anchor'), `${where}: ending where the mark ends`).toBe('end');
          expect(svg, `${where}: no Spotify icon`).not.toContain(SPOTIFY_ICON_PATH);
          expect(textsOf(doc), `${where}: no Spotify word`).not.toContain('Spotify');
          expect(doc.getElementsByTagName('a').length, `${where}: no link`).toBe(0);
          expect(svg, `${where}: the profile URL nowhere`).not.toMatch(/last\.fm\/user|javascript:|evil\.example/);
        }
      }
    }
  });

  it('shows the cover whole, never cropped, with corners of 2.5% of its height', () => {
    const listening = data.get('playing')!;
    for (const [layout, corner] of [['card', '2'], ['compact', '1']] as const) {
      const svg = parseSvg(card('playing', { layout }, pictures(listening, 100, 100)));
      const cover = [...svg.getElementsByTagName('image')].find((image) => image.getAttribute('clip-path') === 'url(#cv)')!;
      expect(cover.getAttribute('preserveAspectRatio'), layout).toBe('xMidYMid meet');
      expect(svg.getElementById('cv')?.getElementsByTagName('rect')[0]?.getAttribute('rx'), layout).toBe(corner);
    }
  });
});

describe('renderCard', () => {
  it('is well-formed XML in every fake scenario, in both layouts, with and without top artists', () => {
    for (const scenario of SCENARIOS) {
      for (const options of [{}, { topArtists: true }, { layout: 'compact' as const }]) {
        const svg = card(scenario, options, pictures(data.get(scenario)!, 100, 100));
        expect(() => parseSvg(svg), `${scenario} ${JSON.stringify(options)}`).not.toThrow();
      }
    }
  });

  it('is well-formed XML for every value of every option', () => {
    const values: Partial<CardOptions>[] = [
      ...(['auto', 'light', 'dark', 'forest', 'sunset'] as const).map((theme) => ({ theme })),
      { layout: 'compact' },
      { topArtists: true, limit: 1 },
      { topArtists: true, limit: 5, range: 'long_term' },
      { accent: '#7c3aed' },
      { radius: 0 },
      { radius: 40 },
      { background: 'transparent' },
      { background: '#0d1117', theme: 'dark' },
    ];
    for (const options of values) expect(() => parseSvg(card('playing', options)), JSON.stringify(options)).not.toThrow();
    expect(() => parseSvg(renderMessage('Bad card option: theme must be one of "a" & <b>.'))).not.toThrow();
  });

  it('draws hostile names as text: markup, quotes and ampersands never become elements', () => {
    const doc = parseSvg(card('hostile', { topArtists: true }));
    for (const tag of ['script', 'img', 'div', 'b', 'foreignObject', 'a']) expect(doc.getElementsByTagName(tag).length, `no <${tag}>`).toBe(0);
    const texts = textsOf(doc);
    expect(texts.some((text) => text.startsWith('<img src=x onerror="alert(1)"><script')), 'the title, as text').toBe(true);
    expect(doc.getElementsByTagName('title')[0]?.textContent, 'the accessible name holds the whole title').toContain(HOSTILE_TRACK.name);
    expect(texts.join('\n')).toContain('</div><b>bold?</b>');
  });

  it('escapes &, <, quotes and ]]> and replaces every character XML forbids, in the title, artists, album and top artists', () => {
    // One of each class XML 1.0 forbids; the lone surrogates stand apart so they never pair up.
    const C0 = '\u0000\u0008\u000B\u000C\u000E\u001F';
    const title = `A&B <i>"q" ']]>${C0}`;
    const artists = [`Cat & <Dog> \uD800.`, `"It's" ]]> \uDC00.`, `Rock&Roll ${C0}\uFFFE\uFFFF`];
    const album = `Side <A> & "B" ]]> \uD800.\uDC00.\uFFFF`;
    const topArtist = `&amp; <x/> "y" ]]> ${C0}\uD800.\uFFFE`;
    const listening: Listening = {
      ...data.get('playing')!,
      nowPlaying: {
        ...data.get('playing')!.nowPlaying!,
        title,
        artists: artists.map((name) => ({ name, url: null })),
        album,
        imageUrl: null,
      },
      topArtists: [{ name: topArtist, url: null, imageUrl: null }],
    };
    // What XML can hold of each name: every forbidden character drawn as U+FFFD, and nothing else changed.
    const shown = (text: string) => text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800\uDC00\uFFFE\uFFFF]/g, '\uFFFD');
    for (const options of [{ topArtists: true, limit: 1 }, { layout: 'compact' as const }]) {
      const svg = renderCard({ listening, options: { ...DEFAULT_CARD_OPTIONS, ...options }, images: new Map(), now });
      const doc = parseSvg(svg);
      for (const tag of ['i', 'A', 'Dog', 'x']) expect(doc.getElementsByTagName(tag).length, `no <${tag}>`).toBe(0);
      expect(svg, 'no raw ampersand').not.toMatch(/&(?!(?:amp|lt|gt|quot|apos);)/);
      expect(svg).toContain('A&amp;B &lt;i&gt;');
      expect(svg).toContain('&quot;q&quot;');
      expect(svg).toContain(']]&gt;');
      expect(doc.getElementsByTagName('title')[0]?.textContent, 'the accessible name, whole').toContain(
        `: ${shown(title)} by ${artists.map(shown).join(', ')}`,
      );
      const texts = textsOf(doc);
      if (options.layout === 'compact') {
        expect(texts.join('\n'), JSON.stringify(options)).toContain(shown(title));
        continue;
      }
      expect(svg, 'an entity-looking name escaped as text').toContain('&amp;amp; &lt;x/&gt;');
      expect(texts, JSON.stringify(options)).toEqual(
        expect.arrayContaining([shown(title), artists.map(shown).join(', '), shown(album), shown(topArtist)]),
      );
    }
  });

  it('cuts a long title with an ellipsis to fit', () => {
    const texts = textsOf(parseSvg(card('hostile')));
    const artists = texts.find((text) => text.includes('Very long artist name'))!;
    expect(artists.endsWith('…'), 'the artist line is cut').toBe(true);
    expect(artists.length).toBeLessThan(80);
  });

  it('points nowhere outside the file: every picture is a data URI', () => {
    for (const scenario of SCENARIOS) {
      const svg = card(scenario, { topArtists: true }, pictures(data.get(scenario)!, 100, 100));
      const urls = svg.match(/\b(?:https?:)?\/\/[^\s"'<)]+/g) ?? [];
      expect(urls, scenario).toEqual(['http://www.w3.org/2000/svg']);
      const hrefs = Array.from(parseSvg(svg).getElementsByTagName('image'), (image) => image.getAttribute('href'));
      for (const href of hrefs) expect(href, scenario).toMatch(/^data:image\//);
    }
  });

  it('draws the placeholder for a picture that is missing', () => {
    const doc = parseSvg(card('playing', { topArtists: true }));
    expect(doc.getElementsByTagName('image').length).toBe(0);
    expect(textsOf(doc).filter((text) => text === '♪'), 'one note for the cover, one per artist').toHaveLength(6);
  });

  it('stays under 60 KB with its cover and 150 KB with five artist pictures, each at its cap', () => {
    const playing = data.get('playing')!;
    const oneCover = card('playing', {}, pictures(playing, COVER_MAX_BYTES, AVATAR_MAX_BYTES));
    const withArtists = card('playing', { topArtists: true, limit: 5 }, pictures(playing, COVER_MAX_BYTES, AVATAR_MAX_BYTES));
    expect(parseSvg(withArtists).getElementsByTagName('image').length, 'a cover and five artists').toBe(6);
    expect(Buffer.byteLength(oneCover), 'with one album image').toBeLessThanOrEqual(60 * 1024);
    expect(Buffer.byteLength(withArtists), 'with five artist pictures').toBeLessThanOrEqual(150 * 1024);
  });

  it('shows the progress as of the read, and a stale track as not live', () => {
    const playing = data.get('playing')!;
    const item = playing.nowPlaying!;
    const clock = (ms: number) => `${Math.floor(ms / 60_000)}:${String(Math.floor(ms / 1_000) % 60).padStart(2, '0')}`;
    const elapsed = now - Date.parse(playing.fetchedAt);
    expect(textsOf(parseSvg(card('playing')))).toContain(clock(item.progressMs! + elapsed));
    const stale = renderCard({ listening: { ...playing, stale: { code: 'rate_limited' } }, options: DEFAULT_CARD_OPTIONS, images: new Map(), now });
    expect(textsOf(parseSvg(stale))).toEqual(expect.arrayContaining(['Was playing', clock(item.progressMs!)]));
  });
});

describe('fit', () => {
  it('never splits a grapheme (an emoji with a modifier, a flag)', () => {
    const cut = fit('👩🏽‍🚀🇳🇴'.repeat(20), 60, 14);
    expect(cut.endsWith('…')).toBe(true);
    const kept = Array.from(new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(cut.slice(0, -1)), (g) => g.segment);
    expect(kept.length).toBeGreaterThan(0);
    for (const grapheme of kept) expect(['👩🏽‍🚀', '🇳🇴']).toContain(grapheme);
  });
});

describe('parseSvg, the well-formedness check itself', () => {
  it('rejects what xmldom lets through: a raw &, each character XML forbids, ]]> in text', () => {
    const svg = (body: string) => `<svg xmlns="http://www.w3.org/2000/svg"><text class="${body}">${body}</text></svg>`;
    expect(() => parseSvg(svg('A &amp; B &lt; &#233; &#x1F600; \uFFFD 👩🏽‍🚀')), 'escaped text and U+FFFD are fine').not.toThrow();
    for (const bad of ['A & B', 'A &amp B', '&nbsp;', 'x ]]> y', '<i>', '\u0000', '\u0008', '\u000B', '\u000C', '\u000E', '\u001F', '\uD800', '\uDC00', 'a\uDC00\uD800b', '\uFFFE', '\uFFFF']) {
      expect(() => parseSvg(svg(bad)), JSON.stringify(bad)).toThrow(/not well-formed/);
    }
  });
});
