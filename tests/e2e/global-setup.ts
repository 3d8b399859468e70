/**
 * Starts what every e2e test needs, once: the HTTP fake Spotify and the
 * production build served by `netlify serve` from a copy of the project (a
 * build started in the working tree meanwhile cannot swap the served assets),
 * pointed at the fake with dummy credentials. Tests reach both through
 * `inject('siteUrl')` and `inject('fakeUrl')`, and switch scenarios through
 * the fake's /__control.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startFakeSpotifyServer } from '../../test-support/fake-spotify/server';
import { useScenario, fakeState } from '../../test-support/fake-spotify/control';
import { copyProject, serveCopy } from './support/private-site';

declare module 'vitest' {
  export interface ProvidedContext {
    siteUrl: string;
    fakeUrl: string;
    /** Values the browser must never see. */
    secrets: string[];
    artifactsDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = project.config.root;
  const artifactsDir = join(root, 'test-results', 'e2e');
  const credentials = {
    clientId: 'e2e-client-id',
    clientSecret: `e2e-secret-${randomBytes(6).toString('hex')}`,
    // Fresh per run, so a refresh token persisted by an earlier run (rotation) never wins over it.
    refreshToken: `e2e-refresh-${randomBytes(6).toString('hex')}`,
  };
  const fake = await startFakeSpotifyServer({ scenario: 'playing', ...credentials });
  const copy = copyProject(root);
  const site = await serveCopy(copy, { ...credentials, url: fake.url }, {
    logFile: join(artifactsDir, 'netlify-serve.log'),
    env: {
      // Stateless: every call reads Spotify, as these files (and assertNoLocalCdnCache) expect.
      // The shared state is proved on a site of its own, in shared-state.e2e.ts.
      SPOTIFY_REFRESH_INTERVAL_S: '0',
    },
  }).catch(async (error: unknown) => {
    await fake.close();
    copy.remove();
    throw error;
  });
  const teardown = async () => {
    await site.close();
    await fake.close();
    copy.remove();
  };

  try {
    await assertNoLocalCdnCache(site.url, fake.url);
  } catch (error) {
    await teardown();
    throw error;
  }

  project.provide('siteUrl', site.url);
  project.provide('fakeUrl', fake.url);
  project.provide('secrets', [credentials.clientSecret, credentials.refreshToken]);
  project.provide('artifactsDir', artifactsDir);
  return teardown;
}

/**
 * The function sends `Netlify-CDN-Cache-Control: s-maxage=…`. Netlify's CDN
 * honours it; the local `netlify serve` (checked with netlify-cli 27) does
 * not. The tests switch scenarios between page loads and rely on that, so
 * check it rather than assume it: a cached answer would make them flaky.
 */
async function assertNoLocalCdnCache(siteUrl: string, fakeUrl: string): Promise<void> {
  await useScenario(fakeUrl, 'playing');
  const before = (await fakeState(fakeUrl)).requests;
  for (let call = 0; call < 2; call += 1) {
    const response = await fetch(`${siteUrl}/api/spotify`);
    if (response.status !== 200) {
      throw new Error(`GET /api/spotify answered ${response.status} against the fake: ${await response.text()}`);
    }
  }
  const reached = (await fakeState(fakeUrl)).requests - before;
  if (reached < 4) {
    throw new Error(
      `Two calls to /api/spotify reached the fake Spotify with only ${reached} requests: the local server ` +
        'is caching responses (Netlify-CDN-Cache-Control). The e2e tests switch scenarios between calls and ' +
        'need every call to reach the function; bust the cache per test before relying on it.',
    );
  }
}
