/**
 * The widget's words for time: how long ago a track played, and a track
 * position as m:ss.
 */
import { describe, expect, it } from 'vitest';
import { ago, clock } from '../../src/lib/format';
import { TEST_NOW } from '../mocks/spotify';

const now = TEST_NOW.getTime();
const before = (ms: number) => new Date(now - ms).toISOString();
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('ago', () => {
  it('says "just now" under a minute, then counts minutes, hours and days, singular and plural', () => {
    const cases: Array<[number, string]> = [
      [0, 'just now'],
      [59_999, 'just now'],
      [MIN, '1 min ago'],
      [59 * MIN + 59_999, '59 min ago'],
      [HOUR, '1 hour ago'],
      [2 * HOUR, '2 hours ago'],
      [23 * HOUR + 59 * MIN, '23 hours ago'],
      [DAY, '1 day ago'],
      [3 * DAY + 5 * HOUR, '3 days ago'],
    ];
    for (const [elapsed, words] of cases) expect(ago(before(elapsed), now), `${elapsed} ms ago`).toBe(words);
  });

  it('says "just now" for a time in the future or one it cannot read', () => {
    expect(ago(before(-5 * MIN), now), 'five minutes ahead (a skewed clock)').toBe('just now');
    expect(ago('not a date', now), 'unreadable').toBe('just now');
    expect(ago('', now), 'empty').toBe('just now');
  });
});

describe('clock', () => {
  it('shows minutes and zero-padded seconds, dropping the part second', () => {
    expect(clock(0), 'start').toBe('0:00');
    expect(clock(9_999), 'under ten seconds').toBe('0:09');
    expect(clock(83_000), 'over a minute').toBe('1:23');
    expect(clock(HOUR + 5_000), 'past an hour, still in minutes').toBe('60:05');
  });
});
