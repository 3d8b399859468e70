/**
 * Storing values on the Netlify site: the exact `netlify env:set` calls, the
 * retry for variables that already exist, link detection, and no secret in
 * what the owner sees.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isNetlifyLinked, linkedSiteUrl, pushToNetlify, type NetlifyRunner } from '../../scripts/authorize/netlify-env';

const VALUES = {
  SPOTIFY_CLIENT_ID: 'id-value',
  SPOTIFY_CLIENT_SECRET: 'secret-value-123',
  SPOTIFY_REFRESH_TOKEN: 'refresh-value-456',
  SPOTIFY_REFRESH_TOKEN_ISSUED_AT: '2026-11-23T12:00:00.000Z',
  SPOTIFY_OWNER_ID: 'owner-account-id',
};

const recorder = (answer: (args: string[]) => { code: number; output: string } = () => ({ code: 0, output: '' })) => {
  const calls: string[][] = [];
  const run: NetlifyRunner = async (args) => {
    calls.push(args);
    return answer(args);
  };
  return { calls, run };
};

describe('pushToNetlify', () => {
  it('sets the credentials as secrets for the deployed contexts with functions scope, and the issue time and account id plainly', async () => {
    const { calls, run } = recorder();
    const report = await pushToNetlify(VALUES, run);
    expect(report.ok).toBe(true);
    expect(calls).toEqual([
      ['env:set', 'SPOTIFY_CLIENT_ID', 'id-value', '--secret', '--context', 'production', 'deploy-preview', 'branch-deploy', '--scope', 'functions', '--force'],
      ['env:set', 'SPOTIFY_CLIENT_SECRET', 'secret-value-123', '--secret', '--context', 'production', 'deploy-preview', 'branch-deploy', '--scope', 'functions', '--force'],
      ['env:set', 'SPOTIFY_REFRESH_TOKEN', 'refresh-value-456', '--secret', '--context', 'production', 'deploy-preview', 'branch-deploy', '--scope', 'functions', '--force'],
      ['env:set', 'SPOTIFY_REFRESH_TOKEN_ISSUED_AT', VALUES.SPOTIFY_REFRESH_TOKEN_ISSUED_AT, '--scope', 'functions', '--force'],
      ['env:set', 'SPOTIFY_OWNER_ID', 'owner-account-id', '--scope', 'functions', '--force'],
    ]);
    expect(report.lines.at(-1)).toContain('npm run deploy');
    for (const secret of [VALUES.SPOTIFY_CLIENT_SECRET, VALUES.SPOTIFY_REFRESH_TOKEN]) expect(report.lines.join('\n')).not.toContain(secret);
  });

  it('updates an existing variable without --scope, which the Netlify CLI refuses together with --context', async () => {
    const { calls, run } = recorder((args) =>
      args.includes('--scope') && args.includes('--secret')
        ? { code: 1, output: 'Setting the context and scope at the same time on an existing env var is not allowed.' }
        : { code: 0, output: '' },
    );
    expect((await pushToNetlify(VALUES, run)).ok).toBe(true);
    expect(calls[1]).toEqual(['env:set', 'SPOTIFY_CLIENT_ID', 'id-value', '--secret', '--context', 'production', 'deploy-preview', 'branch-deploy', '--force']);
  });

  it('stops at the first refusal and reports it without the value', async () => {
    const { run } = recorder((args) => ({ code: 1, output: `Error: could not set ${args[2]}: unauthorized` }));
    const report = await pushToNetlify(VALUES, run);
    expect(report.ok).toBe(false);
    expect(report.lines.join('\n')).toContain('Netlify refused SPOTIFY_CLIENT_ID');
    expect(report.lines.join('\n')).not.toContain('id-value');
  });

  it('stores the rest without SPOTIFY_OWNER_ID, and says renewing from /connect stays off until authorize records it', async () => {
    const { calls, run } = recorder();
    const report = await pushToNetlify({ ...VALUES, SPOTIFY_OWNER_ID: '' }, run);
    expect(report.ok, 'the widget works without it').toBe(true);
    expect(calls.map((args) => args[1])).toEqual(['SPOTIFY_CLIENT_ID', 'SPOTIFY_CLIENT_SECRET', 'SPOTIFY_REFRESH_TOKEN', 'SPOTIFY_REFRESH_TOKEN_ISSUED_AT']);
    expect(report.lines.join('\n')).toContain('renewing from /connect stays off. Run `npm run authorize -- --netlify` to record it.');
  });

  it('refuses to push when .env has no refresh token yet', async () => {
    const { calls, run } = recorder();
    const report = await pushToNetlify({ ...VALUES, SPOTIFY_REFRESH_TOKEN: '' }, run);
    expect(report.ok).toBe(false);
    expect(report.lines.join('\n')).toContain('npm run authorize');
    expect(calls.map((args) => args[1])).not.toContain('SPOTIFY_REFRESH_TOKEN');
  });
});

describe('isNetlifyLinked', () => {
  it('reads the site id that `netlify link` writes, or NETLIFY_SITE_ID', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'owner-link-'));
    try {
      expect(await isNetlifyLinked(dir, {})).toBe(false);
      expect(await isNetlifyLinked(dir, { NETLIFY_SITE_ID: 'abc' })).toBe(true);
      await mkdir(join(dir, '.netlify'));
      await writeFile(join(dir, '.netlify', 'state.json'), JSON.stringify({ siteId: '1234-5678' }));
      expect(await isNetlifyLinked(dir, {})).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('linkedSiteUrl', () => {
  it('asks `netlify status --json` for the linked site’s URL, and gives null when unlinked or the CLI cannot say', async () => {
    const unlinked = recorder();
    expect(await linkedSiteUrl('/nonexistent-project', {}, unlinked.run)).toBeNull();
    expect(unlinked.calls, 'no CLI run without a linked site').toEqual([]);

    const status = { account: { Name: 'Owner' }, siteData: { 'site-name': 'my-widget', 'site-url': 'https://my-widget.netlify.app', 'site-id': 'abc' } };
    const linked = recorder(() => ({ code: 0, output: `Some CLI notice\n${JSON.stringify(status, null, 2)}\n` }));
    expect(await linkedSiteUrl('/nonexistent-project', { NETLIFY_SITE_ID: 'abc' }, linked.run)).toBe('https://my-widget.netlify.app');
    expect(linked.calls).toEqual([['status', '--json']]);

    const loggedOut = recorder(() => ({ code: 1, output: JSON.stringify({ loggedIn: false, siteData: null }) }));
    expect(await linkedSiteUrl('/nonexistent-project', { NETLIFY_SITE_ID: 'abc' }, loggedOut.run)).toBeNull();
    const garbled = recorder(() => ({ code: 0, output: 'not json' }));
    expect(await linkedSiteUrl('/nonexistent-project', { NETLIFY_SITE_ID: 'abc' }, garbled.run)).toBeNull();
  });
});
