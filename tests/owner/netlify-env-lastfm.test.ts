/**
 * Storing Last.fm's values on the Netlify site: LASTFM_USER plainly and
 * LASTFM_API_KEY as a secret, beside Spotify's or alone, never half of the
 * pair, and the key never in what the owner sees.
 */
import { describe, expect, it } from 'vitest';
import { notLinkedMessage, pushToNetlify, varsToStore, type NetlifyRunner } from '../../scripts/authorize/netlify-env';

const SPOTIFY = {
  SPOTIFY_CLIENT_ID: 'id-value',
  SPOTIFY_CLIENT_SECRET: 'secret-value-123',
  SPOTIFY_REFRESH_TOKEN: 'refresh-value-456',
  SPOTIFY_REFRESH_TOKEN_ISSUED_AT: '2026-11-23T12:00:00.000Z',
  SPOTIFY_OWNER_ID: 'owner-account-id',
};
const LASTFM = { LASTFM_USER: 'fake-listener', LASTFM_API_KEY: 'f4ce1a57f4ce1a57f4ce1a57f4ce1a57' };
const NO_SPOTIFY = Object.fromEntries(Object.keys(SPOTIFY).map((key) => [key, '']));

function recorder() {
  const calls: string[][] = [];
  const run: NetlifyRunner = async (args) => {
    calls.push(args);
    return { code: 0, output: '' };
  };
  return { calls, run };
}

describe('pushToNetlify with Last.fm', () => {
  it("stores Last.fm's user name plainly and its API key as a secret, after Spotify's values", async () => {
    const { calls, run } = recorder();
    const report = await pushToNetlify({ ...SPOTIFY, ...LASTFM }, run);
    expect(report.ok, report.lines.join('\n')).toBe(true);
    expect(calls.map((args) => args[1])).toEqual([...Object.keys(SPOTIFY), 'LASTFM_USER', 'LASTFM_API_KEY']);
    expect(calls.at(-2)).toEqual(['env:set', 'LASTFM_USER', 'fake-listener', '--scope', 'functions', '--force']);
    expect(calls.at(-1)).toEqual(['env:set', 'LASTFM_API_KEY', LASTFM.LASTFM_API_KEY, '--secret', '--context', 'production', 'deploy-preview', 'branch-deploy', '--scope', 'functions', '--force']);
    expect(report.lines.join('\n'), 'the key is never shown').not.toContain(LASTFM.LASTFM_API_KEY);
  });

  it('stores Last.fm alone when no Spotify credential is set, and says Spotify is not in use', async () => {
    const { calls, run } = recorder();
    const report = await pushToNetlify({ ...NO_SPOTIFY, ...LASTFM }, run);
    expect(report.ok, report.lines.join('\n')).toBe(true);
    expect(calls.map((args) => args[1])).toEqual(['LASTFM_USER', 'LASTFM_API_KEY']);
    expect(report.lines[0]).toContain('Spotify is not in use');
    expect(report.lines.at(-1)).toContain('npm run deploy');
  });

  it('stores nothing when only half of the Last.fm pair is set, and says where to get the other half', async () => {
    const { calls, run } = recorder();
    const report = await pushToNetlify({ ...SPOTIFY, LASTFM_USER: 'fake-listener', LASTFM_API_KEY: '' }, run);
    expect(report.ok).toBe(false);
    expect(calls, 'a site with half the pair refuses to start').toEqual([]);
    expect(report.lines.join('\n')).toContain('https://www.last.fm/api/account/create');
  });

  it('stores Spotify as before when Last.fm is not set up', async () => {
    const { calls, run } = recorder();
    expect((await pushToNetlify({ ...SPOTIFY, LASTFM_USER: '', LASTFM_API_KEY: '' }, run)).ok).toBe(true);
    expect(calls.map((args) => args[1])).toEqual(Object.keys(SPOTIFY));
  });
});

describe('notLinkedMessage', () => {
  it('names the commands for the variables in use: Last.fm alone, or Spotify by default', () => {
    const lastfmOnly = notLinkedMessage(varsToStore({ ...NO_SPOTIFY, ...LASTFM })).join('\n');
    expect(lastfmOnly).toContain('npx netlify env:set LASTFM_API_KEY "<LASTFM_API_KEY>" --secret --context production deploy-preview branch-deploy --scope functions --force');
    expect(lastfmOnly).not.toContain('SPOTIFY_CLIENT_ID');
    expect(notLinkedMessage().join('\n')).not.toContain('LASTFM_');
  });
});
