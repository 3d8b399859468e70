/**
 * /card.svg and /open as the endpoints answer them (src/server/card.ts), with
 * the data given and the pictures fetched through an in-memory Blobs store:
 * statuses, the ETag and 304, the quiet failure, the time budget, and the
 * pictures kept by URL.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { SpotifyError, fail, ok } from '../../src/lib/spotify/types';
import type { Listening } from '../../src/lib/spotify/types';
import { cardResponse, openResponse, type CardContext } from '../../src/server/card';
import { embedImages } from '../../src/server/card-images';
import { normalizeCurrentlyPlaying } from '../../src/lib/spotify/normalize';
import { PLAYLIST } from '../../test-support/fixtures';
import { createMemoryBlobs } from '../../test-support/memory-blobs';
import { scenarioStart } from '../../test-support/widget-states';
import { TEST_NOW } from '../mocks/spotify';
import { parseSvg, textsOf } from './svg';

let playing: Listening;
beforeAll(async () => {
  playing = (await scenarioStart('playing', TEST_NOW)).initial!;
});

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
/** A picture host: every URL answers a small JPEG, and calls are counted. */
function pictureHost(answer: () => Promise<Response> | Response = () => new Response(JPEG, { headers: { 'Content-Type': 'image/jpeg' } })) {
  return vi.fn(async (_url: string | URL | Request) => answer());
}

function context(load: NonNullable<CardContext['load']>, extra: Partial<CardContext> = {}): CardContext {
  return { load, images: { store: createMemoryBlobs(), fetch: pictureHost(), log: { warn: () => {} } }, ...extra };
}

const card = (query: string, ctx: CardContext, init: RequestInit = {}) => cardResponse(new Request(`https://me.example/card.svg${query}`, init), ctx);

describe('cardResponse', () => {
  it('answers 200 with the card, a short Cache-Control and an ETag; 304 for If-None-Match; HEAD without a body', async () => {
    const ctx = context(async () => ok(playing), { now: () => TEST_NOW.getTime() });
    const first = await card('?theme=dark', ctx);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(first.headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    expect(textsOf(parseSvg(await first.text()))).toContain(playing.nowPlaying!.title);

    const again = await card('?theme=dark', ctx, { headers: { 'If-None-Match': `W/"other", ${etag}` } });
    expect(again.status, 'unchanged').toBe(304);
    expect(await again.text()).toBe('');
    const other = await card('?theme=light', ctx, { headers: { 'If-None-Match': etag } });
    expect(other.status, 'another picture').toBe(200);
    const head = await card('?theme=dark', ctx, { method: 'HEAD' });
    expect([head.status, head.headers.get('etag'), await head.text()]).toEqual([200, etag, '']);
  });

  it('answers a bad option with 400, as an SVG that says which, not cached', async () => {
    const response = await card('?theme=neon', context(async () => ok(playing)));
    expect(response.status).toBe(400);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(textsOf(parseSvg(await response.text())).join(' ')).toContain('theme must be one of');
  });

  it('answers a failure with a 200 and a quiet message, so an image proxy keeps no broken image', async () => {
    const response = await card('', context(async () => fail(new SpotifyError('upstream_error', 'Spotify answered 503.'))));
    expect(response.status).toBe(200);
    expect(textsOf(parseSvg(await response.text()))).toContain('Listening data is unavailable right now');
  });

  it('answers within 3 s when the data and the pictures hang', async () => {
    const hang = () => new Promise<never>(() => {});
    const started = Date.now();
    const noData = await card('', context(hang));
    const noPictures = await card('', context(async () => ok(playing), { images: { store: createMemoryBlobs(), fetch: hang } }));
    expect(Date.now() - started, 'both cards').toBeLessThan(2 * 3_000);
    expect(textsOf(parseSvg(await noData.text()))).toContain('Listening data is unavailable right now');
    expect(parseSvg(await noPictures.text()).getElementsByTagName('image').length, 'placeholders instead').toBe(0);
  }, 10_000);

  it('embeds each picture once per URL, then reads it from the store', async () => {
    const fetch = pictureHost();
    const ctx = context(async () => ok(playing), { images: { store: createMemoryBlobs(), fetch } });
    for (let i = 0; i < 2; i += 1) {
      const doc = parseSvg(await (await card('?top_artists=on&limit=5', ctx)).text());
      const hrefs = Array.from(doc.getElementsByTagName('image'), (image) => image.getAttribute('href'));
      expect(hrefs, `card ${i + 1}: a cover and five artists`).toHaveLength(6);
      for (const href of hrefs) expect(href).toBe(`data:image/jpeg;base64,${JPEG.toString('base64')}`);
    }
    expect(fetch, 'six pictures, fetched once each').toHaveBeenCalledTimes(6);
  });
});

describe('embedImages', () => {
  it('leaves out a picture that fails, is too large or is not an image, and remembers the failure', async () => {
    const store = createMemoryBlobs();
    const answers: Record<string, () => Response> = {
      'https://i.scdn.co/image/missing': () => new Response('no', { status: 404 }),
      'https://i.scdn.co/image/huge': () => new Response(Buffer.alloc(5_000), { headers: { 'Content-Type': 'image/jpeg' } }),
      'https://i.scdn.co/image/page': () => new Response('<html>', { headers: { 'Content-Type': 'text/html' } }),
      'https://i.scdn.co/image/fine': () => new Response(JPEG, { headers: { 'Content-Type': 'image/jpeg' } }),
    };
    const fetch = vi.fn(async (url: string | URL | Request) => answers[String(url)]!());
    const wanted = Object.keys(answers).map((url) => ({ url, maxBytes: 1_000 }));
    const options = { origin: 'https://me.example', store, fetch, log: { warn: () => {} } };
    const first = await embedImages([...wanted, { url: 'http://insecure.example/a.jpg', maxBytes: 1_000 }], options);
    expect([...first.values()].map((uri) => uri?.slice(0, 23) ?? null)).toEqual([null, null, null, 'data:image/jpeg;base64,', null]);
    await embedImages(wanted, options);
    expect(fetch, 'failures are remembered too; http is never fetched').toHaveBeenCalledTimes(4);
  });
});

describe('openResponse', () => {
  it('redirects to the track the card shows, else to the site', async () => {
    const open = (ctx: CardContext) => openResponse(new Request('https://me.example/open'), ctx);
    const toTrack = await open(context(async () => ok(playing)));
    expect([toTrack.status, toTrack.headers.get('location')]).toEqual([302, playing.nowPlaying!.url]);
    const idle = { ...playing, nowPlaying: null };
    const toSite = await open(context(async () => ok(idle)));
    expect([toSite.status, toSite.headers.get('location')]).toEqual([302, 'https://me.example/']);
  });

  it('never answers with a link whose host a strict parser could read otherwise, whatever Spotify sent', async () => {
    const open = (url: string) => openResponse(new Request('https://me.example/open'), context(async () => ok({ ...playing, nowPlaying: { ...playing.nowPlaying!, url } })));
    for (const raw of ['https://open.spotify.com\\@evil.example/', 'https://open%2espotify.com/x', 'https://open.spotify.com:8443/x', 'http://open.spotify.com/x']) {
      const location = (await open(raw)).headers.get('location')!;
      expect(location, raw).not.toBe(raw);
      expect(new URL(location).host, raw).toMatch(/^(open\.spotify\.com|me\.example)$/);
    }
    expect((await open('https://open.spotify.com:8443/x')).headers.get('location'), 'no link: the site').toBe('https://me.example/');
  });

  it("follows Last.fm's links only for Last.fm data, by the same rule", async () => {
    const open = (service: 'spotify' | 'lastfm', url: string) =>
      openResponse(new Request('https://me.example/open'), context(async () => ok({ ...playing, service, nowPlaying: { ...playing.nowPlaying!, url } })));
    const track = 'https://www.last.fm/music/Band/_/Song';
    expect((await open('lastfm', track)).headers.get('location')).toBe(track);
    expect((await open('lastfm', 'https://www.last.fm:8443/x')).headers.get('location'), 'a port: no link').toBe('https://me.example/');
    expect(new URL((await open('lastfm', 'https://www.last.fm\\@evil.example/')).headers.get('location')!).host, 'parsed and serialized again').toBe('www.last.fm');
    expect((await open('spotify', track)).headers.get('location'), 'not with Spotify data').toBe('https://me.example/');
  });
});

describe('a card from a 200,000-character name', () => {
  it('stays within 60 KB, its <title> included', async () => {
    const huge = 'N'.repeat(200_000);
    const nowPlaying = normalizeCurrentlyPlaying({ is_playing: true, currently_playing_type: 'track', progress_ms: 1, item: { ...PLAYLIST[0]!, name: huge, artists: [{ name: huge }] } })!;
    const response = await card('?layout=card', context(async () => ok({ ...playing, nowPlaying })));
    const body = await response.text();
    expect(body.length).toBeLessThanOrEqual(60_000);
    expect(/<title>([^<]*)<\/title>/.exec(body)?.[1]?.length ?? 0).toBeLessThan(1_000);
  });
});
