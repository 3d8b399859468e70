/**
 * Configuration from the environment, read at run time. The core never reads
 * `process.env` itself: callers pass an accessor, so tests and the CLIs can
 * feed any source.
 */

import { DEFAULT_LASTFM_API_URL, readLastfmConfig } from './lastfm-config';
import { DEFAULT_DAILY_BUDGET, DEFAULT_REFRESH_INTERVAL_S, MIN_DAILY_BUDGET } from './limits';

export type EnvAccessor = (name: string) => string | undefined;

export const DEFAULT_ACCOUNTS_URL = 'https://accounts.spotify.com';
export const DEFAULT_API_URL = 'https://api.spotify.com';

/** Secret: the Spotify app's credentials and the owner's refresh token. */
export const CREDENTIAL_VARS = ['SPOTIFY_CLIENT_ID', 'SPOTIFY_CLIENT_SECRET', 'SPOTIFY_REFRESH_TOKEN'] as const;

/** Netlify `CONTEXT` values that mean "a deployed site": never demo data there. */
export const DEPLOYED_CONTEXTS = ['production', 'deploy-preview', 'branch-deploy'] as const;

export interface SpotifyConfig {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Base of the accounts host, without a trailing slash. */
  accountsUrl: string;
  /** Base of the Web API host, without a trailing slash and without `/v1`. */
  apiUrl: string;
  /** When the refresh token was issued, if the owner's tooling recorded it. */
  refreshTokenIssuedAt: Date | null;
}

export interface LastfmConfig {
  /** Public: LASTFM_USER. */
  user: string;
  /** Secret: LASTFM_API_KEY. */
  apiKey: string;
  /** LASTFM_API_URL: the API root without `/2.0/`, without a trailing slash. */
  apiUrl: string;
}

export interface RefreshSettings {
  /** SPOTIFY_REFRESH_INTERVAL_S: 0 reads the source on every call, with no shared state. */
  refreshIntervalS: number;
  /** SPOTIFY_DAILY_BUDGET: Spotify requests allowed in any rolling 24 hours. */
  dailyBudget: number;
}

/** The sources the site reads, at least one of them: Spotify first, Last.fm as its cover or alone. */
export interface Sources extends RefreshSettings {
  spotify: SpotifyConfig | null;
  lastfm: LastfmConfig | null;
}

type ConfigState =
  | ({ status: 'ready' } & Sources)
  /** No credentials at all on a machine that is not a deployed site. */
  | { status: 'demo' }
  | { status: 'invalid'; message: string; missing: string[] };

/**
 * Whether this runs on a deployed site. Netlify gives functions the deploy
 * context at run time only through the request's context object
 * (`context.deploy.context`); the `CONTEXT` variable exists at build time and
 * under `netlify serve`, which counts as deployed. Either one is enough.
 */
const isDeployed = (env: EnvAccessor, deployContext?: string): boolean =>
  [deployContext, env('CONTEXT')].some((context) => (DEPLOYED_CONTEXTS as readonly string[]).includes(context ?? ''));

export function readConfig(env: EnvAccessor, deployContext?: string): ConfigState {
  const value = (name: string) => env(name)?.trim() || undefined;
  const invalid = (message: string, missing: string[] = []): ConfigState => ({ status: 'invalid', message, missing });
  const urls: Record<string, string> = {};
  for (const [name, fallback] of [['SPOTIFY_ACCOUNTS_URL', DEFAULT_ACCOUNTS_URL], ['SPOTIFY_API_URL', DEFAULT_API_URL], ['LASTFM_API_URL', DEFAULT_LASTFM_API_URL]]) {
    // The value itself is never echoed: these messages reach visitors' browsers, and a URL can hold credentials.
    const url = URL.parse(value(name!) ?? fallback!);
    if (!url || !/^https?:$/.test(url.protocol)) return invalid(`${name} must be an http(s) URL such as ${fallback}. Fix it, or unset it.`);
    urls[name!] = url.href.replace(/\/+$/, '');
  }

  const lastfm = readLastfmConfig(value, urls.LASTFM_API_URL!);
  if (lastfm && 'missing' in lastfm) return invalid(lastfm.message, lastfm.missing);
  const missing = CREDENTIAL_VARS.filter((name) => !value(name));
  const none = missing.length === CREDENTIAL_VARS.length;
  // Spotify half set up, or not at all with no Last.fm to show instead.
  if (missing.length && !(none && lastfm)) {
    if (none && !isDeployed(env, deployContext)) return { status: 'demo' };
    const orLastfm = none ? ', or set LASTFM_USER and LASTFM_API_KEY for Last.fm' : '';
    return invalid(`Spotify is not connected (${missing.join(', ')} not set): run \`npm run authorize -- --netlify\` locally, then \`npm run deploy\`${orLastfm}.`, missing);
  }

  const numbers: number[] = [];
  for (const [name, fallback, min] of [['SPOTIFY_REFRESH_INTERVAL_S', DEFAULT_REFRESH_INTERVAL_S, 0], ['SPOTIFY_DAILY_BUDGET', DEFAULT_DAILY_BUDGET, MIN_DAILY_BUDGET]] as const) {
    const raw = value(name);
    if (raw !== undefined && (!/^\d{1,9}$/.test(raw) || Number(raw) < min)) {
      return invalid(`${name} must be a whole number of at least ${min}. Fix it, or unset it for the default, ${fallback}.`);
    }
    numbers.push(raw === undefined ? fallback : Number(raw));
  }

  const issued = new Date(value('SPOTIFY_REFRESH_TOKEN_ISSUED_AT') ?? NaN);
  const spotify = missing.length
    ? null
    : {
        clientId: value('SPOTIFY_CLIENT_ID')!,
        clientSecret: value('SPOTIFY_CLIENT_SECRET')!,
        refreshToken: value('SPOTIFY_REFRESH_TOKEN')!,
        accountsUrl: urls.SPOTIFY_ACCOUNTS_URL!,
        apiUrl: urls.SPOTIFY_API_URL!,
        refreshTokenIssuedAt: Number.isNaN(issued.getTime()) ? null : issued,
      };
  return { status: 'ready', spotify, lastfm, refreshIntervalS: numbers[0]!, dailyBudget: numbers[1]! };
}
