/**
 * parseRetryAfter: how long Spotify asks us to wait. The number ends up in our
 * own Retry-After and in how long the CDN keeps a rate-limited answer.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RETRY_AFTER_S } from '../../src/lib/spotify/limits';
import { parseRetryAfter } from '../../src/lib/spotify/spotify-api';
import { TEST_NOW } from '../mocks/spotify';

/** TEST_NOW is 2026-11-23 12:00:00 UTC, a Monday. */
const TWO_MINUTES_LATER = 'Mon, 23 Nov 2026 12:02:00 GMT';

afterEach(() => {
  vi.useRealTimers();
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('42', TEST_NOW), 'plain seconds').toBe(42);
    expect(parseRetryAfter(' 7 ', TEST_NOW), 'surrounding spaces').toBe(7);
  });

  it('reads an HTTP-date as the seconds from the injected clock until then, in all three forms', () => {
    // A zone far from UTC, so an asctime date read as local time would be hours out.
    vi.stubEnv('TZ', 'Pacific/Auckland');
    expect(parseRetryAfter(TWO_MINUTES_LATER, TEST_NOW), 'IMF-fixdate').toBe(120);
    expect(parseRetryAfter('Monday, 23-Nov-26 12:02:00 GMT', TEST_NOW), 'RFC 850 date').toBe(120);
    expect(parseRetryAfter('Mon Nov 23 12:02:00 2026', TEST_NOW), 'asctime date, read as GMT').toBe(120);
    expect(parseRetryAfter('Mon, 23 Nov 2026 12:00:00 GMT', new Date('2026-11-23T11:59:30.500Z')), 'a part second rounds up').toBe(30);
  });

  it('counts an HTTP-date from the system clock when no clock is given', () => {
    vi.useFakeTimers({ now: TEST_NOW });
    expect(parseRetryAfter(TWO_MINUTES_LATER)).toBe(120);
  });

  it('never answers zero or less, for a date already past or a zero delay', () => {
    expect(parseRetryAfter('Sun, 22 Nov 2026 12:00:00 GMT', TEST_NOW), 'a day ago').toBe(1);
    expect(parseRetryAfter('0', TEST_NOW), 'zero seconds').toBe(1);
  });

  it('falls back to the default for a missing or unreadable header', () => {
    for (const header of [null, '', 'soon', '-5', '1.5', '12 s', '1.5 00:00:00', '2099 00:00:00', 'Mon, 32 Nov 2026 12:02:00 GMT', `${TWO_MINUTES_LATER} later`]) {
      expect(parseRetryAfter(header, TEST_NOW), JSON.stringify(header)).toBe(DEFAULT_RETRY_AFTER_S);
    }
  });
});
