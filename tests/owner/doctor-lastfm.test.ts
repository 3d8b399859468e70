/**
 * `diagnose` with Last.fm configured, in this process against the fake
 * Last.fm (and the fake Spotify when both are set up): one request per
 * check, a problem for each way Last.fm refuses with the step that fixes it,
 * Spotify's checks skipped for a Last.fm-only site, and the API key never in
 * the report.
 */
import { describe, expect, it } from 'vitest';
import { diagnose, type Check } from '../../scripts/doctor/diagnose';
import type { Fetch } from '../../src/lib/spotify/spotify-api';
import { FAKE_LASTFM_API_KEY, FAKE_LASTFM_USER, createFakeLastfm, type LastfmScenarioName } from '../../test-support/fake-lastfm/fake-lastfm';
import { FAKE_OWNER_ID, createFakeSpotify } from '../../test-support/fake-spotify/fake-spotify';
import type { ScenarioName } from '../../test-support/fake-spotify/scenarios';

const LASTFM_HOST = 'http://lastfm.test';
const SPOTIFY_HOST = 'http://spotify.test';
const LASTFM = { LASTFM_USER: FAKE_LASTFM_USER, LASTFM_API_KEY: FAKE_LASTFM_API_KEY, LASTFM_API_URL: LASTFM_HOST };
const SPOTIFY = {
  SPOTIFY_CLIENT_ID: 'doctor-client-id',
  SPOTIFY_CLIENT_SECRET: 'doctor-client-secret-xyz',
  SPOTIFY_REFRESH_TOKEN: 'doctor-refresh-token-abc',
  SPOTIFY_REFRESH_TOKEN_ISSUED_AT: new Date(Date.now() - 30 * 24 * 60 * 60 * 1000).toISOString(),
  SPOTIFY_OWNER_ID: FAKE_OWNER_ID,
  SPOTIFY_ACCOUNTS_URL: SPOTIFY_HOST,
  SPOTIFY_API_URL: SPOTIFY_HOST,
};
const SECRETS = [FAKE_LASTFM_API_KEY, SPOTIFY.SPOTIFY_CLIENT_SECRET, SPOTIFY.SPOTIFY_REFRESH_TOKEN];

interface Run {
  env?: Record<string, string | undefined>;
  lastfm?: LastfmScenarioName;
  spotify?: ScenarioName;
  /** Answers a Spotify request instead of the fake, when it returns a response. */
  spotifyOverride?: (url: URL) => Response | undefined;
}

async function doctor(run: Run = {}) {
  const lastfm = createFakeLastfm({ scenario: run.lastfm ?? 'playing' });
  const spotify = createFakeSpotify({ scenario: run.spotify ?? 'playing' });
  const fetch: Fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.origin === LASTFM_HOST) return lastfm.fetch(input, init);
    return run.spotifyOverride?.(url) ?? spotify.fetch(input, init);
  };
  const env: Record<string, string | undefined> = { ...LASTFM, ...run.env };
  const { checks } = await diagnose((name) => env[name], fetch, new Date());
  const report = checks.map((check) => `${check.status} ${check.label}${check.fix ? ` | fix: ${check.fix}` : ''}`).join('\n');
  for (const secret of [...SECRETS, env.LASTFM_API_KEY ?? FAKE_LASTFM_API_KEY]) expect(report, 'no secret value in the report').not.toContain(secret);
  const methods = lastfm.requests.map((request) => request.url.searchParams.get('method'));
  return { checks, report, lastfm, spotify, methods, problems: checks.filter((check) => check.status === 'problem') };
}

const find = (checks: Check[], start: string) => checks.find((check) => check.label.startsWith(start));

describe('diagnose with Last.fm alone', () => {
  it('skips Spotify with an info line, checks Last.fm with one request per check, and finds nothing to fix', async () => {
    const { checks, report, problems, methods, lastfm } = await doctor();
    expect(problems, report).toEqual([]);
    expect(find(checks, 'Spotify is not in use')?.status, report).toBe('info');
    expect(report, 'no Spotify variable is called missing').not.toMatch(/SPOTIFY_\w+ is missing/);
    expect(find(checks, 'LASTFM_USER is set')?.label).toBe(`LASTFM_USER is set (${FAKE_LASTFM_USER})`);
    expect(find(checks, 'LASTFM_API_KEY is set')?.status).toBe('ok');
    expect(find(checks, 'Last.fm recent tracks readable')?.status, report).toBe('ok');
    expect(find(checks, 'Last.fm top artists readable')?.status, report).toBe('ok');
    expect(report).toContain(`Using the Last.fm host from LASTFM_API_URL: ${LASTFM_HOST}`);
    expect(methods, 'one request per check').toEqual(['user.getrecenttracks', 'user.gettopartists']);
    expect(lastfm.requests.map((request) => request.url.searchParams.get('limit')), 'one item is enough to prove each read').toEqual(['1', '1']);
  });

  it('names the privacy setting when the profile hides its recent listening, and still checks the top artists', async () => {
    const { checks, report, problems } = await doctor({ lastfm: 'private' });
    expect(problems, report).toHaveLength(1);
    const check = find(checks, 'Last.fm recent tracks failed (profile_private)');
    expect(check?.fix, report).toContain('https://www.last.fm/settings/privacy');
    expect(check?.fix).toContain('untick "Hide recent listening information"');
    expect(find(checks, 'Last.fm top artists readable')?.status, 'top artists are not hidden by that setting').toBe('ok');
  });

  it('reports a rejected API key with where to get one, in one request, without printing the key', async () => {
    const { checks, report, problems, methods } = await doctor({ env: { LASTFM_API_KEY: 'wrong-key-0123456789abcdef01234567' } });
    expect(problems, report).toHaveLength(1);
    const check = find(checks, 'Last.fm recent tracks failed (not_configured)');
    expect(check?.fix, report).toContain('Last.fm rejected the API key (error 10)');
    expect(check?.fix).toContain('https://www.last.fm/api/account/create');
    expect(methods, 'a wrong key fails every read alike: no second request').toEqual(['user.getrecenttracks']);
  });

  it('reports an unknown user name with where to find the right one', async () => {
    const { checks, report } = await doctor({ env: { LASTFM_USER: 'nobody-by-this-name' } });
    expect(find(checks, 'Last.fm recent tracks failed (not_configured)')?.fix, report).toContain('Set LASTFM_USER to the name in your profile');
  });

  it('says how long to wait on a rate limit, and asks no more', async () => {
    const { checks, report, methods } = await doctor({ lastfm: 'rate_limited' });
    expect(find(checks, 'Last.fm recent tracks failed (rate_limited)')?.fix, report).toMatch(/^Wait \d+ seconds, then run `npm run doctor` again\.$/);
    expect(methods).toEqual(['user.getrecenttracks']);
  });

  it('names the missing half of the pair with its fix, and contacts nobody', async () => {
    const { checks, report, lastfm } = await doctor({ env: { LASTFM_API_KEY: undefined } });
    expect(find(checks, 'LASTFM_API_KEY is missing')?.fix, report).toContain('https://www.last.fm/api/account/create');
    expect(report).toContain('Neither Spotify nor Last.fm was contacted');
    expect(lastfm.requests).toHaveLength(0);
  });

  it('gives the scrobbling hint when Last.fm has no scrobbles', async () => {
    const { checks, report, problems } = await doctor({ lastfm: 'no_scrobbles' });
    expect(problems, report).toEqual([]);
    expect(find(checks, 'Last.fm has no scrobbles')?.label, report).toContain('https://www.last.fm/settings/applications');
  });
});

describe('diagnose with Spotify and Last.fm', () => {
  it('checks both when both are set up', async () => {
    const { checks, report, problems, methods } = await doctor({ env: SPOTIFY });
    expect(problems, report).toEqual([]);
    expect(find(checks, 'Token exchange works')?.status, report).toBe('ok');
    expect(find(checks, 'Last.fm recent tracks readable')?.status, report).toBe('ok');
    expect(methods).toEqual(['user.getrecenttracks', 'user.gettopartists']);
    expect(report, 'no cover while Spotify answers').not.toContain('Meanwhile the site shows Last.fm');
  });

  it('still reports a refused Spotify token with the renewal, and says Last.fm covers meanwhile', async () => {
    const { checks, report } = await doctor({ env: SPOTIFY, spotify: 'revoked' });
    expect(find(checks, 'Token exchange failed')?.fix, report).toContain('npm run authorize -- --netlify && npm run deploy');
    expect(find(checks, 'Meanwhile the site shows Last.fm')?.status, report).toBe('info');
  });

  it("reports a lapsed Premium with what to renew, not as Spotify being down", async () => {
    const premium = () => Response.json({ error: { status: 403, message: 'Active premium subscription required for the owner of the app.' } }, { status: 403 });
    const { checks, report } = await doctor({ env: SPOTIFY, spotifyOverride: (url) => (url.pathname.startsWith('/v1/me/') ? premium() : undefined) });
    const check = find(checks, 'Currently playing endpoint failed (premium_required)');
    expect(check?.fix, report).toMatch(/^Renew Spotify Premium on the account that owns the app/);
    expect(check?.fix, 'Last.fm is already set up').not.toContain('Use Last.fm');
    expect(find(checks, 'Meanwhile the site shows Last.fm')?.status, report).toBe('info');
  });
});
