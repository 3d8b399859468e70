/**
 * Demo mode's data: plain data whose times come from the clock, so the demo
 * player moves on between calls, and pictures the site serves itself.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getDemoListening } from '../../src/lib/spotify/demo';
import { DEFAULT_QUERY } from '../../src/lib/spotify/query';
import type { Listening, NowPlaying } from '../../src/lib/spotify/types';

const PUBLIC_DIR = join(import.meta.dirname, '../../public');

async function demoAt(ms: number, query = DEFAULT_QUERY): Promise<Listening> {
  const result = await getDemoListening(query, () => new Date(ms));
  if (!result.ok) throw result.error;
  return result.value;
}

/** Each track's start, from the epoch until a title comes round again. */
async function oneLoop(): Promise<{ start: NowPlaying; next: NowPlaying }[]> {
  const loop: { start: NowPlaying; next: NowPlaying }[] = [];
  let at = 0;
  for (let item = (await demoAt(0)).nowPlaying!; loop.length < 20; ) {
    at += item.durationMs!;
    const next = (await demoAt(at)).nowPlaying!;
    loop.push({ start: item, next });
    if (next.title === loop[0]!.start.title) break;
    item = next;
  }
  return loop;
}

describe('getDemoListening', () => {
  it('is marked demo, read at the clock’s time, with the asked range and number of top artists', async () => {
    const at = Date.UTC(2026, 10, 23, 12);
    const data = await demoAt(at, { range: 'long_term', limit: 3 });
    expect(data.demo).toBe(true);
    expect(data.fetchedAt).toBe(new Date(at).toISOString());
    expect(data.range).toBe('long_term');
    expect(data.topArtists).toHaveLength(3);
  });

  it('plays on as time passes: the progress moves, then the next track starts', async () => {
    const first = (await demoAt(0)).nowPlaying!;
    expect(first).toMatchObject({ isPlaying: true, source: 'current', progressMs: 0 });
    const later = (await demoAt(60_000)).nowPlaying!;
    expect(later.title, 'same track a minute in').toBe(first.title);
    expect(later.progressMs).toBe(60_000);
    const next = (await demoAt(first.durationMs!)).nowPlaying!;
    expect(next.title, 'the next track once the first ends').not.toBe(first.title);
    expect(next.progressMs).toBe(0);
  });

  it('loops back to the first track after the last', async () => {
    const loop = await oneLoop();
    expect(loop.length, 'a few tracks').toBeGreaterThan(2);
    expect(new Set(loop.map(({ start }) => start.title)).size, 'each once').toBe(loop.length);
    expect(loop.at(-1)!.next).toMatchObject({ title: loop[0]!.start.title, progressMs: 0 });
  });

  it('keeps the progress inside the track at any time, before 1970 included', async () => {
    for (const at of [-1, 1_234_567, Date.UTC(2031, 0, 1), 8.64e15]) {
      const item = (await demoAt(at)).nowPlaying!;
      expect(item.progressMs, `at ${at}`).toBeGreaterThanOrEqual(0);
      expect(item.progressMs!, `at ${at}`).toBeLessThan(item.durationMs!);
    }
  });

  it('names only pictures the site serves from public/demo/, each a small SVG', async () => {
    const covers = (await oneLoop()).map(({ start }) => start.imageUrl);
    const portraits = (await demoAt(0, { ...DEFAULT_QUERY, limit: 50 })).topArtists!.map((artist) => artist.imageUrl);
    for (const url of [...covers, ...portraits]) {
      expect(url).toMatch(/^\/demo\/[a-z-]+\.svg$/);
      const file = join(PUBLIC_DIR, url!);
      expect(existsSync(file), `${url} exists`).toBe(true);
      expect(statSync(file).size, `${url} is small`).toBeLessThan(2048);
    }
  });

  it('links nowhere, since its names are invented', async () => {
    const data = await demoAt(0, { ...DEFAULT_QUERY, limit: 50 });
    const urls = [data.nowPlaying!.url, ...data.nowPlaying!.artists.map((a) => a.url), ...data.topArtists!.map((a) => a.url)];
    expect(urls.every((url) => url === null)).toBe(true);
  });
});
