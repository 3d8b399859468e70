/**
 * `npm run doctor`'s checks, from configuration to each Spotify endpoint and
 * each Last.fm read, as data: every problem carries the command or step that
 * fixes it. Secret values are looked at, never reported; the owner's Spotify
 * account id and Last.fm user name are public and shown.
 */
import { LASTFM_READ_TIMEOUT_MS, READ_TIMEOUT_MS, TOKEN_TIMEOUT_MS } from '../../src/lib/spotify/limits';
import { readLastfmParts } from '../../src/lib/spotify/lastfm';
import { RENEW_COMMAND, refreshTokenExpiry } from '../../src/lib/spotify/rotation';
import { exchangeRefreshToken, readAccountId, readSpotify, type Fetch } from '../../src/lib/spotify/spotify-api';
import { missingScopes } from '../../src/lib/spotify/authorize-url';
import { CREDENTIAL_VARS, readConfig, type EnvAccessor, type LastfmConfig, type SpotifyConfig } from '../../src/lib/spotify/config';
import { DEFAULT_LASTFM_API_URL } from '../../src/lib/spotify/lastfm-config';
import type { Result, SpotifyError } from '../../src/lib/spotify/types';

export interface Check {
  /** `info` is neither good nor bad news, such as a check skipped or a host override. */
  status: 'ok' | 'problem' | 'info';
  label: string;
  /** The command or step that fixes a failed check. */
  fix?: string;
}

export interface DiagnoseOptions {
  /**
   * The live site's URL, for the /connect link printed with a renewal; null
   * when it cannot be known. Asked only when a renewal is due.
   */
  siteUrl?: () => Promise<string | null>;
}

/** The renewal link when the site's URL is unknown. */
export const CONNECT_PLACEHOLDER = 'https://<your-site>/connect';

export interface Diagnosis {
  checks: Check[];
  /** Set when Spotify rotated the refresh token during the check: the caller must save it. */
  rotatedRefreshToken: string | null;
}

const DASHBOARD = 'https://developer.spotify.com/dashboard';
const OWNER_FIX = `${RENEW_COMMAND} (it records your Spotify account's id)`;
const VARIABLES: Array<{ name: string; fix: string; without?: string }> = [
  { name: 'SPOTIFY_CLIENT_ID', fix: `Copy the Client ID from your app's Settings at ${DASHBOARD} into .env, or run \`npm run authorize\`, which asks for it.` },
  { name: 'SPOTIFY_CLIENT_SECRET', fix: `Copy the Client secret from your app's Settings at ${DASHBOARD} into .env, or run \`npm run authorize\`, which asks for it.` },
  { name: 'SPOTIFY_REFRESH_TOKEN', fix: 'npm run authorize' },
  { name: 'SPOTIFY_REFRESH_TOKEN_ISSUED_AT', fix: 'npm run authorize (it records when the token was issued)' },
  { name: 'SPOTIFY_OWNER_ID', fix: OWNER_FIX, without: 'renewal from /connect on your site is disabled' },
];
const LASTFM_VARIABLES = [
  { name: 'LASTFM_USER', fix: "Set LASTFM_USER in .env to your Last.fm user name, the <name> in your profile's address https://www.last.fm/user/<name>." },
  {
    name: 'LASTFM_API_KEY',
    fix: 'Create an API key at https://www.last.fm/api/account/create (or copy yours from https://www.last.fm/api/accounts) and set LASTFM_API_KEY in .env.',
  },
];
/** Shown when Last.fm has nothing: the widget would show nothing either. */
const SCROBBLE_HINT =
  "Last.fm has no scrobbles for this user yet, so the widget has nothing to show. To scrobble Spotify, connect it under Spotify scrobbling at https://www.last.fm/settings/applications; other players scrobble through their own Last.fm setting.";

export async function diagnose(env: EnvAccessor, fetch: Fetch, now: Date, options: DiagnoseOptions = {}): Promise<Diagnosis> {
  const checks: Check[] = [];
  const isSet = (name: string) => Boolean(env(name)?.trim());
  const lastfmSet = LASTFM_VARIABLES.some((variable) => isSet(variable.name));
  // With Last.fm set up and no Spotify credential at all, Spotify's variables are not missing: Spotify is not in use.
  const spotifyInUse = !lastfmSet || CREDENTIAL_VARS.some(isSet);
  if (!spotifyInUse) {
    checks.push({ status: 'info', label: 'Spotify is not in use (no SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET or SPOTIFY_REFRESH_TOKEN): its checks are skipped, and the site shows Last.fm alone.' });
  }
  for (const variable of [...(spotifyInUse ? VARIABLES : []), ...(lastfmSet ? LASTFM_VARIABLES : [])]) {
    const set = isSet(variable.name);
    const missing = `${variable.name} is missing${'without' in variable && variable.without ? `: ${variable.without}` : ''}`;
    // The user name is public (it is in the profile's address); every other value stays unprinted.
    const shown = variable.name === 'LASTFM_USER' ? ` (${env(variable.name)!.trim()})` : '';
    checks.push(set ? { status: 'ok', label: `${variable.name} is set${shown}` } : { status: 'problem', label: missing, fix: variable.fix });
  }
  // Problems that a renewal fixes get their fix at the end, once it is known
  // whether /connect can renew (SPOTIFY_OWNER_ID set and the token's account).
  const ownerId = env('SPOTIFY_OWNER_ID')?.trim() || null;
  let ownerMismatch = false;
  const renewals: Check[] = [];
  /** A problem without a fix of its own gets the renewal. */
  const needsRenewal = (check: Check): Check => {
    if (check.status === 'problem' && check.fix === undefined) renewals.push(check);
    return check;
  };
  let expiryProblem: Check | null = null;
  /** Set when Spotify could not read now playing: with Last.fm set up, the site then shows Last.fm. */
  let spotifyCannotAnswer = false;
  const finish = async (rotatedRefreshToken: string | null): Promise<Diagnosis> => {
    if (renewals.length === 0) return { checks, rotatedRefreshToken };
    const viaConnect = ownerId !== null && !ownerMismatch;
    const connect = viaConnect ? ((await siteUrlOrNull(options))?.concat('/connect') ?? CONNECT_PLACEHOLDER) : null;
    for (const check of renewals) check.fix = connect ? `renew on ${connect}, or run \`${RENEW_COMMAND}\`` : RENEW_COMMAND;
    if (connect && expiryProblem) {
      // The doctor reads .env; a renewal on /connect is kept on the site, so .env's dates stay old.
      const info: Check = { status: 'info', label: 'Renewed on /connect already? The site uses that token; this check reads the one in .env.' };
      checks.splice(checks.indexOf(expiryProblem) + 1, 0, info);
    }
    return { checks, rotatedRefreshToken };
  };

  const state = readConfig(env);
  if (state.status === 'invalid' && state.missing.length === 0) {
    checks.push({ status: 'problem', label: state.message, fix: 'Correct or remove the variable in .env (or unset it in your shell).' });
  }
  if (state.status !== 'ready') {
    const nobody = lastfmSet ? 'Neither Spotify nor Last.fm was contacted: fix the variables above first.' : 'Spotify itself was not contacted: set the variables above first.';
    checks.push({ status: 'info', label: nobody });
    return finish(null);
  }
  const rotated = state.spotify ? await checkSpotify(state.spotify) : null;
  if (state.lastfm) {
    const answers = await checkLastfm(state.lastfm);
    if (answers && state.spotify && spotifyCannotAnswer) {
      checks.push({ status: 'info', label: 'Meanwhile the site shows Last.fm: it answers while Spotify cannot, and the widget credits it.' });
    }
  }
  return finish(rotated);

  /** Spotify, from the token exchange to each endpoint the widget reads. Returns a refresh token Spotify rotated, if it did. */
  async function checkSpotify(config: SpotifyConfig): Promise<string | null> {
    if (config.accountsUrl !== 'https://accounts.spotify.com' || config.apiUrl !== 'https://api.spotify.com') {
      const hosts = `${withoutUserInfo(config.accountsUrl)}, ${withoutUserInfo(config.apiUrl)}`;
      checks.push({ status: 'info', label: `Using Spotify hosts from SPOTIFY_ACCOUNTS_URL / SPOTIFY_API_URL: ${hosts}` });
    }

    const expiry = expiryCheck(env('SPOTIFY_REFRESH_TOKEN_ISSUED_AT'), config.refreshTokenIssuedAt, now);
    if (expiry.status === 'problem' && expiry.fix === undefined) expiryProblem = expiry;
    checks.push(needsRenewal(expiry));

    const grant = await exchangeRefreshToken(
      { fetch, accountsUrl: config.accountsUrl, clientId: config.clientId, clientSecret: config.clientSecret, timeoutMs: TOKEN_TIMEOUT_MS },
      config.refreshToken,
    );
    if (!grant.ok) {
      spotifyCannotAnswer = true;
      checks.push(endpointProblem(`Token exchange failed: ${grant.error.message}`, grant.error));
      return null;
    }
    checks.push({ status: 'ok', label: 'Token exchange works (the refresh token gives an access token)' });

    const missing = missingScopes(grant.value.scopes);
    checks.push(
      missing.length === 0
        ? { status: 'ok', label: 'All scopes granted' }
        : needsRenewal({ status: 'problem', label: `Scopes not granted: ${missing.join(', ')}` }),
    );

    const session = { fetch, apiUrl: config.apiUrl, accessToken: grant.value.accessToken, timeoutMs: READ_TIMEOUT_MS };
    const [current, recent, top, account] = await Promise.all([
      readSpotify(session, 'currently playing'),
      readSpotify(session, 'recently played'),
      readSpotify(session, 'top artists', 'time_range=short_term&limit=1'),
      ownerId ? readAccountId(session) : null,
    ]);
    if (!current.ok || !recent.ok) spotifyCannotAnswer = true;
    checks.push(endpointCheck('Currently playing', current), endpointCheck('Recently played', recent), endpointCheck('Top artists', top));
    if (ownerId && account) {
      if (!account.ok) {
        checks.push(endpointProblem(`Could not read the token's account (/v1/me) to check SPOTIFY_OWNER_ID: ${account.error.message}`, account.error));
      } else if (account.value === ownerId) {
        checks.push({ status: 'ok', label: `SPOTIFY_OWNER_ID matches the token's Spotify account (${ownerId}): /connect can renew` });
      } else {
        ownerMismatch = true;
        checks.push({
          status: 'problem',
          label: `SPOTIFY_OWNER_ID is "${ownerId}", but the refresh token belongs to the Spotify account "${account.value}": renewal from /connect accepts only "${ownerId}"`,
          fix: `Log in to Spotify (in the browser) as the account whose listening the widget shows, then run \`${RENEW_COMMAND}\`; it records that account's id.`,
        });
      }
    }

    return grant.value.refreshToken && grant.value.refreshToken !== config.refreshToken ? grant.value.refreshToken : null;
  }

  /**
   * Last.fm, one request per check: the recent tracks (which prove the key,
   * the user name and that the listening is public), then the top artists.
   * Returns whether Last.fm can show now playing.
   */
  async function checkLastfm(config: LastfmConfig): Promise<boolean> {
    if (config.apiUrl !== DEFAULT_LASTFM_API_URL) {
      checks.push({ status: 'info', label: `Using the Last.fm host from LASTFM_API_URL: ${withoutUserInfo(config.apiUrl)}` });
    }
    const reader = { ...config, fetch, now: () => now, timeoutMs: LASTFM_READ_TIMEOUT_MS };
    const recentRead = await readLastfmParts(reader, { nowPlaying: true, topArtists: null });
    const recent = recentRead.ok ? recentRead.value.nowPlaying! : recentRead;
    if (!recent.ok) {
      checks.push(lastfmProblem('Last.fm recent tracks', recent.error));
      // A wrong key or user name, or a rate limit, fails every read alike: a second request would only repeat it.
      if (recent.error.code === 'not_configured' || recent.error.code === 'rate_limited') return false;
    } else {
      checks.push({ status: 'ok', label: `Last.fm recent tracks readable for ${config.user} (the API key works and the listening is public)` });
      if (recent.value === null) checks.push({ status: 'info', label: SCROBBLE_HINT });
    }
    const topRead = await readLastfmParts(reader, { nowPlaying: false, topArtists: { range: 'short_term', limit: 1 } });
    const top = topRead.ok ? topRead.value.topArtists! : topRead;
    checks.push(top.ok ? { status: 'ok', label: `Last.fm top artists readable${top.value.length === 0 ? ' (none yet)' : ''}` } : lastfmProblem('Last.fm top artists', top.error));
    return recent.ok;
  }

  /** A failed call: its fix, or the renewal when only a new authorization helps. */
  function endpointProblem(label: string, error: SpotifyError): Check {
    const renew = error.code === 'reauthorization_required' || error.code === 'scope_missing';
    return renew ? needsRenewal({ status: 'problem', label }) : { status: 'problem', label, fix: fixFor(error, lastfmSet) };
  }

  function endpointCheck(name: string, result: Result<unknown>): Check {
    if (result.ok) return { status: 'ok', label: `${name} endpoint reachable${result.value === null ? ' (nothing to show right now)' : ''}` };
    return endpointProblem(`${name} endpoint failed (${result.error.code}): ${result.error.message}`, result.error);
  }
}

/**
 * A failed Last.fm read. Last.fm's messages for the setup (a wrong key or
 * user, a private profile) already say what to do, so they are the fix; for
 * the rest, the doctor says when to run again.
 */
function lastfmProblem(name: string, error: SpotifyError): Check {
  switch (error.code) {
    case 'not_configured':
    case 'profile_private':
      return { status: 'problem', label: `${name} failed (${error.code})`, fix: error.message };
    case 'rate_limited':
      return { status: 'problem', label: `${name} failed (rate_limited)`, fix: `Wait ${error.retryAfterSeconds ?? 60} seconds, then run \`npm run doctor\` again.` };
    default:
      return {
        status: 'problem',
        label: `${name} failed (${error.code}): ${error.message}`,
        fix: 'Last.fm is failing or unreachable from here: check the connection (and LASTFM_API_URL if set), then run `npm run doctor` again.',
      };
  }
}

async function siteUrlOrNull(options: DiagnoseOptions): Promise<string | null> {
  try {
    return (await options.siteUrl?.()) ?? null;
  } catch {
    return null;
  }
}

/** A URL fit to print: `http://user:password@host` loses its username and password. */
function withoutUserInfo(href: string): string {
  const url = new URL(href);
  url.username = '';
  url.password = '';
  // readConfig's URLs have no trailing slash; keep them that way after URL adds one back.
  return href.endsWith('/') ? url.href : url.href.replace(/\/$/, '');
}

function expiryCheck(raw: string | undefined, issuedAt: Date | null, now: Date): Check {
  if (!raw?.trim()) return { status: 'problem', label: 'Days left before the refresh token expires: unknown (no issue time)', fix: 'npm run authorize' };
  if (!issuedAt) return { status: 'problem', label: `SPOTIFY_REFRESH_TOKEN_ISSUED_AT is not a date ("${raw}")`, fix: 'npm run authorize' };
  const expiry = refreshTokenExpiry(issuedAt, now);
  const day = expiry.expiresAt.toISOString().slice(0, 10);
  if (expiry.status === 'expired') return { status: 'problem', label: `The Spotify refresh token expired on ${day} (six months after authorization)` };
  if (expiry.status === 'expiring') {
    const days = expiry.daysLeft === 1 ? '1 day' : `${expiry.daysLeft} days`;
    return { status: 'problem', label: `The Spotify refresh token expires in ${days} (on ${day})` };
  }
  return { status: 'ok', label: `${expiry.daysLeft} days left before the refresh token expires (on ${day})` };
}

/** The fix for a failure that a renewal does not cure. */
function fixFor(error: SpotifyError, lastfmCovers: boolean): string {
  switch (error.code) {
    case 'premium_required':
      return `Renew Spotify Premium on the account that owns the app (Spotify can take a few hours to notice), then run \`npm run doctor\` again.${
        lastfmCovers ? '' : ' Meanwhile, Last.fm can show your listening: see "No Spotify Premium? Use Last.fm" in the README.'
      }`;
    case 'not_configured':
      return `Copy SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET again from your app's Settings at ${DASHBOARD} into .env, then run \`npm run doctor\`.`;
    case 'rate_limited':
      return `Wait ${error.retryAfterSeconds ?? 30} seconds, then run \`npm run doctor\` again.`;
    default:
      return 'Spotify is failing or unreachable from here: check the connection (and SPOTIFY_ACCOUNTS_URL / SPOTIFY_API_URL if set), then run `npm run doctor` again.';
  }
}
