/**
 * parseListening: the one check of an `/api/spotify` answer arriving in the
 * browser. Every valid answer passes unchanged; anything outside the contract
 * is null, so the widget shows its quiet error instead of throwing.
 */
import { describe, expect, it } from 'vitest';
import { parseListening } from '../../src/lib/listening-shape';
import { getDemoListening } from '../../src/lib/spotify/demo';
import { DEFAULT_QUERY } from '../../src/lib/spotify/query';
import type { Listening } from '../../src/lib/spotify/types';
import { TEST_NOW } from '../mocks/spotify';

const VALID: Listening = {
  nowPlaying: {
    isPlaying: true,
    source: 'current',
    type: 'track',
    title: 'Harbour Lights',
    artists: [
      { name: 'The Tidelines', url: 'https://open.spotify.com/artist/1' },
      { name: 'Local file', url: null },
    ],
    album: 'Low Water',
    imageUrl: null,
    url: 'https://open.spotify.com/track/1',
    progressMs: 61_000,
    durationMs: 200_000,
    playedAt: null,
  },
  topArtists: [{ name: 'The Tidelines', url: null, imageUrl: 'https://i.scdn.co/image/1' }],
  range: 'short_term',
  fetchedAt: TEST_NOW.toISOString(),
  errors: { topArtists: 'upstream_error' },
  stale: { code: 'rate_limited', retryAt: TEST_NOW.toISOString() },
};

/** VALID with one top-level field replaced (undefined removes it). */
const answer = (fields: Record<string, unknown>) => ({ ...VALID, ...fields });
/** VALID with one now-playing field replaced (undefined removes it). */
const playing = (fields: Record<string, unknown>) => answer({ nowPlaying: { ...VALID.nowPlaying, ...fields } });

describe('parseListening', () => {
  it('passes every valid answer unchanged: a full one, a bare one, and the demo', async () => {
    const bare: Listening = { nowPlaying: null, topArtists: [], range: 'long_term', fetchedAt: VALID.fetchedAt };
    const demo = await getDemoListening(DEFAULT_QUERY, () => TEST_NOW);
    if (!demo.ok) throw demo.error;
    for (const [label, data] of [['full', VALID], ['bare', bare], ['demo', demo.value]] as const) {
      expect(parseListening(JSON.parse(JSON.stringify(data))), label).toEqual(data);
    }
    expect(parseListening(answer({ topArtists: null, errors: { topArtists: 'scope_missing' } })), 'top artists null').not.toBeNull();
  });

  it('ignores fields it does not know, at every level', () => {
    const extra = {
      ...VALID,
      version: 2,
      nowPlaying: { ...VALID.nowPlaying, explicit: true, artists: [{ name: 'A', url: null, id: 'x' }] },
      topArtists: [{ name: 'B', url: null, imageUrl: null, genres: ['folk'] }],
      errors: { topArtists: 'upstream_error', note: 'x' },
      stale: { code: 'rate_limited', note: 'x' },
    };
    expect(parseListening(extra)).toEqual(extra);
  });

  it('rejects anything outside the contract', () => {
    const cases: Array<[string, unknown]> = [
      ['null', null],
      ['a string', 'ok'],
      ['an array', [VALID]],
      ['an empty object', {}],
      ['an error body', { error: { code: 'upstream_error', message: 'x' } }],
      ['nowPlaying missing', answer({ nowPlaying: undefined })],
      ['nowPlaying a string', answer({ nowPlaying: 'Harbour Lights' })],
      ['nowPlaying with only a title', answer({ nowPlaying: { title: 'x' } })],
      ['nowPlaying without artists', playing({ artists: undefined })],
      ['artists not an array', playing({ artists: 'The Tidelines' })],
      ['an artist credit null', playing({ artists: [null] })],
      ['an artist credit a string', playing({ artists: ['The Tidelines'] })],
      ['an artist credit without a name', playing({ artists: [{ url: null }] })],
      ['an artist credit url a number', playing({ artists: [{ name: 'A', url: 1 }] })],
      ['title missing', playing({ title: undefined })],
      ['title null', playing({ title: null })],
      ['isPlaying a string', playing({ isPlaying: 'true' })],
      ['source unknown', playing({ source: 'queue' })],
      ['type unknown', playing({ type: 'audiobook' })],
      ['album a number', playing({ album: 3 })],
      ['album missing', playing({ album: undefined })],
      ['imageUrl an object', playing({ imageUrl: { url: 'https://x' } })],
      ['url missing', playing({ url: undefined })],
      ['progressMs a string', playing({ progressMs: '61000' })],
      ['durationMs missing', playing({ durationMs: undefined })],
      ['playedAt a number', playing({ playedAt: 0 })],
      ['topArtists missing', answer({ topArtists: undefined })],
      ['topArtists a number', answer({ topArtists: 5 })],
      ['topArtists an object', answer({ topArtists: { name: 'A' } })],
      ['a top artist a number', answer({ topArtists: [5] })],
      ['a top artist null', answer({ topArtists: [null] })],
      ['a top artist without imageUrl', answer({ topArtists: [{ name: 'A', url: null }] })],
      ['range missing', answer({ range: undefined })],
      ['range unknown', answer({ range: 'forever' })],
      ['fetchedAt missing', answer({ fetchedAt: undefined })],
      ['fetchedAt a number', answer({ fetchedAt: TEST_NOW.getTime() })],
      ['fetchedAt not a date', answer({ fetchedAt: 'yesterday-ish' })],
      ['demo false', answer({ demo: false })],
      ['demo a string', answer({ demo: 'yes' })],
      ['errors null', answer({ errors: null })],
      ['errors an array', answer({ errors: ['upstream_error'] })],
      ['an error code a number', answer({ errors: { nowPlaying: 502 } })],
      ['a stale code null', answer({ stale: { code: null } })],
      ['stale null', answer({ stale: null })],
      ['stale true', answer({ stale: true })],
      ['stale without a code', answer({ stale: { retryAt: VALID.fetchedAt } })],
      ['stale retryAt a number', answer({ stale: { code: 'rate_limited', retryAt: 30 } })],
    ];
    for (const [label, value] of cases) expect(parseListening(value), label).toBeNull();
  });
});
