/**
 * The one-time authorization (authorization code flow) as pure functions:
 * the URL the owner opens, and what Spotify's redirect back means.
 */
import { REQUIRED_SCOPES } from './spotify-api';

const AUTHORIZE_SCOPES: readonly string[] = Object.values(REQUIRED_SCOPES);

/** What the README tells the owner to register. Spotify allows http only for loopback IP literals. */
export const DEFAULT_REDIRECT_URI = 'http://127.0.0.1:8888/callback';

interface AuthorizeRequest {
  accountsUrl: string;
  clientId: string;
  redirectUri: string;
  state: string;
  /** PKCE (S256): the challenge of a verifier only the server holds. */
  codeChallenge?: string;
}

export function buildAuthorizeUrl(request: AuthorizeRequest): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: request.clientId,
    scope: AUTHORIZE_SCOPES.join(' '),
    redirect_uri: request.redirectUri,
    state: request.state,
    ...(request.codeChallenge ? { code_challenge_method: 'S256', code_challenge: request.codeChallenge } : {}),
  });
  return `${request.accountsUrl}/authorize?${query}`;
}

/** A random, URL-safe, single-use `state` that ties the callback to this run (CSRF). */
export function newAuthorizeState(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(24)));
}

/** A PKCE code verifier (RFC 7636): 43 URL-safe characters from 32 random bytes. */
export function newCodeVerifier(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The S256 challenge of a verifier: base64url(SHA-256(verifier)). */
export async function codeChallengeOf(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

const base64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

type CallbackOutcome =
  | { kind: 'code'; code: string }
  /** Missing or not this run's: possibly forged, so nothing in it is trusted. */
  | { kind: 'bad_state' }
  /** Spotify reported an error, such as `access_denied` when the owner clicked Cancel. */
  | { kind: 'denied'; error: string; description: string | null }
  | { kind: 'no_code' };

export function readCallback(params: URLSearchParams, expectedState: string): CallbackOutcome {
  const state = params.get('state');
  if (!state || state !== expectedState) return { kind: 'bad_state' };
  const error = params.get('error');
  if (error) return { kind: 'denied', error, description: params.get('error_description') };
  const code = params.get('code');
  return code ? { kind: 'code', code } : { kind: 'no_code' };
}

/** Required scopes the grant lacks, in a stable order. */
export function missingScopes(granted: readonly string[]): string[] {
  const have = new Set(granted);
  return AUTHORIZE_SCOPES.filter((scope) => !have.has(scope));
}

/**
 * Spotify accepts http only on loopback IP literals (`localhost` is refused),
 * and lets the port of a registered loopback redirect URI vary.
 */
export function loopbackRedirect(uri: string): { host: string; port: number; path: string } | { message: string } {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { message: `"${uri}" is not a URL. Use a redirect URI such as ${DEFAULT_REDIRECT_URI}.` };
  }
  const host = url.hostname === '[::1]' ? '::1' : url.hostname;
  if (url.protocol !== 'http:' || (host !== '127.0.0.1' && host !== '::1')) {
    return {
      message: `The redirect URI must be http://127.0.0.1:PORT/... or http://[::1]:PORT/... (Spotify refuses "localhost"), got "${uri}".`,
    };
  }
  return { host, port: url.port === '' ? 80 : Number(url.port), path: url.pathname };
}
