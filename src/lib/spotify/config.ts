/**
 * Configuration from the environment, read at run time. The core never reads
 * `process.env` itself: callers pass an accessor, so tests and the CLIs can
 * feed any source.
 */

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
  /** SPOTIFY_REFRESH_INTERVAL_S: 0 reads Spotify on every call, with no shared state. */
  refreshIntervalS: number;
  /** SPOTIFY_DAILY_BUDGET: Spotify requests allowed in any rolling 24 hours. */
  dailyBudget: number;
}

type ConfigState =
  | { status: 'ready'; config: SpotifyConfig }
  /** No credentials at all on a machine that is not a deployed site. */
  | { status: 'demo'; accountsUrl: string; apiUrl: string }
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

  const urls = { accountsUrl: value('SPOTIFY_ACCOUNTS_URL') ?? DEFAULT_ACCOUNTS_URL, apiUrl: value('SPOTIFY_API_URL') ?? DEFAULT_API_URL };
  for (const [key, name, fallback] of [['accountsUrl', 'SPOTIFY_ACCOUNTS_URL', DEFAULT_ACCOUNTS_URL], ['apiUrl', 'SPOTIFY_API_URL', DEFAULT_API_URL]] as const) {
    // The value itself is never echoed: these messages reach visitors' browsers, and a URL can hold credentials.
    const url = URL.parse(urls[key]);
    if (!url) return invalid(`${name} is not a valid URL. Use a base such as ${fallback}, or unset it.`);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return invalid(`${name} must be an http(s) URL (it is ${url.protocol.replace(/:$/, '')}).`);
    urls[key] = url.href.replace(/\/+$/, '');
  }

  const missing = CREDENTIAL_VARS.filter((name) => !value(name));
  if (missing.length === CREDENTIAL_VARS.length && !isDeployed(env, deployContext)) {
    return { status: 'demo', ...urls };
  }
  if (missing.length > 0) {
    return invalid(
      `Spotify is not connected: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set. ` +
        'Run `npm run authorize -- --netlify` locally, then redeploy with `npm run deploy`.',
      missing,
    );
  }

  const numbers: number[] = [];
  for (const [name, fallback, min] of [['SPOTIFY_REFRESH_INTERVAL_S', DEFAULT_REFRESH_INTERVAL_S, 0], ['SPOTIFY_DAILY_BUDGET', DEFAULT_DAILY_BUDGET, MIN_DAILY_BUDGET]] as const) {
    const raw = value(name);
    if (raw !== undefined && (!/^\d{1,9}$/.test(raw) || Number(raw) < min)) {
      return invalid(`${name} must be a whole number of at least ${min} (it is "${raw.slice(0, 20)}"). Fix it, or unset it for the default, ${fallback}.`);
    }
    numbers.push(raw === undefined ? fallback : Number(raw));
  }

  const issued = new Date(value('SPOTIFY_REFRESH_TOKEN_ISSUED_AT') ?? Number.NaN);
  return {
    status: 'ready',
    config: {
      clientId: value('SPOTIFY_CLIENT_ID')!,
      clientSecret: value('SPOTIFY_CLIENT_SECRET')!,
      refreshToken: value('SPOTIFY_REFRESH_TOKEN')!,
      ...urls,
      refreshTokenIssuedAt: Number.isNaN(issued.getTime()) ? null : issued,
      refreshIntervalS: numbers[0]!,
      dailyBudget: numbers[1]!,
    },
  };
}
