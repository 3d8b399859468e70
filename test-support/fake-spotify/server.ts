/**
 * The in-memory fake Spotify served over HTTP on loopback, for e2e tests,
 * benchmarks, CLI tests and local runs. Point the project at it with
 * SPOTIFY_ACCOUNTS_URL and SPOTIFY_API_URL set to the server's URL.
 *
 * Control endpoints (not part of Spotify):
 *   POST /__control  {"reset"?: true, "scenario"?: ScenarioName, "track"?: number, "delayMs"?: number,
 *                     "account"?: string, "deny"?: boolean}
 *                    `reset` starts a fresh fake (default scenario, no delay, empty request log,
 *                    playlist from the start) before the other fields apply. The refresh token
 *                    it accepts carries over, as a real account's would: a rotated token the
 *                    project persisted keeps working. With `"forgetRotations": true` as well, the
 *                    fresh fake accepts the refresh token the server started with again, as after
 *                    the owner authorized anew.
 *                    `account` is the Spotify account the consent page (/authorize) signs in as
 *                    (default "fake-owner", FAKE_OWNER_ID): its codes, and the tokens they give,
 *                    belong to it, and `/v1/me` answers its id. `"deny": true` makes the consent
 *                    page redirect back with `error=access_denied` until `"deny": false`. A reset
 *                    puts both back to their defaults.
 *                    Codes from /authorize are single-use and bound to the account, the redirect
 *                    URI and the PKCE challenge (S256) when one was sent. A successful code exchange
 *                    issues a `fake-renewed-…` refresh token, which from then on is the only one the
 *                    fake accepts (and a reset carries it over, with its account).
 *   GET  /__state    {"scenario", "delayMs", "requests", "acceptedRefreshToken", "refreshTokenAccount",
 *                     "account", "deny", "byPath"}
 *                    `byPath` counts the requests per path ("/api/token" is a token exchange).
 *                    `refreshTokenAccount` is the account the accepted refresh token belongs to.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, serveOnLoopback } from '../serve/fake-server';
import { createFakeSpotify, type FakeSpotify, type FakeSpotifyOptions } from './fake-spotify';
import { isScenarioName } from './scenarios';

export interface FakeSpotifyServer {
  url: string;
  /** The fake currently answering; replaced by a `reset`. */
  readonly fake: FakeSpotify;
  close(): Promise<void>;
}

export interface FakeControl {
  reset?: boolean;
  scenario?: string;
  track?: number;
  delayMs?: number;
  /** With `reset`: accept the starting refresh token again, not the last rotated one. */
  forgetRotations?: boolean;
  /** The account the consent page signs in as from now on. */
  account?: string;
  /** Whether the consent page answers `error=access_denied` from now on. */
  deny?: boolean;
}

export async function startFakeSpotifyServer(
  options: FakeSpotifyOptions & { port?: number } = {},
): Promise<FakeSpotifyServer> {
  const holder = { fake: createFakeSpotify(options) };
  const reset = (forgetRotations: boolean) => {
    const refreshToken = forgetRotations ? options.refreshToken : (holder.fake.acceptedRefreshToken ?? options.refreshToken);
    const refreshTokenAccount = forgetRotations ? options.refreshTokenAccount : holder.fake.refreshTokenAccount;
    holder.fake = createFakeSpotify({ ...options, refreshToken, refreshTokenAccount });
  };
  const served = await serveOnLoopback((req, res) => route(holder, reset, req, res), 'fake spotify', options.port);
  return {
    url: served.url,
    get fake() {
      return holder.fake;
    },
    close: served.close,
  };
}

async function route(
  holder: { fake: FakeSpotify },
  reset: (forgetRotations: boolean) => void,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = await readBody(req);
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);

  if (url.pathname === '/__control' && req.method === 'POST') {
    const control = JSON.parse(body || '{}') as FakeControl;
    if (control.reset === true) reset(control.forgetRotations === true);
    const fake = holder.fake;
    if (control.scenario !== undefined) {
      if (!isScenarioName(control.scenario)) return send(res, 400, { error: `unknown scenario ${control.scenario}` });
      fake.scenario = control.scenario;
    }
    if (typeof control.track === 'number') fake.playTrack(control.track);
    if (typeof control.delayMs === 'number') fake.delayMs = control.delayMs;
    if (control.account !== undefined) {
      if (typeof control.account !== 'string' || control.account === '') return send(res, 400, { error: 'account must be a non-empty string' });
      fake.account = control.account;
    }
    if (control.deny !== undefined) {
      if (typeof control.deny !== 'boolean') return send(res, 400, { error: 'deny must be true or false' });
      fake.deny = control.deny;
    }
    return send(res, 200, state(fake));
  }
  const fake = holder.fake;
  if (url.pathname === '/__state') return send(res, 200, state(fake));

  // A client that gives up (a timeout) aborts the fake's pending answer.
  const aborter = new AbortController();
  res.on('close', () => aborter.abort());
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value);
  }
  const request = new Request(url, {
    method: req.method,
    headers,
    body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
    signal: aborter.signal,
  });
  let response: Response;
  try {
    response = await fake.handle(request);
  } catch {
    return; // aborted by the client
  }
  const text = await response.text();
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(text);
}

function state(fake: FakeSpotify) {
  return {
    scenario: fake.scenario,
    delayMs: fake.delayMs,
    requests: fake.requests.length,
    acceptedRefreshToken: fake.acceptedRefreshToken ?? null,
    refreshTokenAccount: fake.refreshTokenAccount,
    account: fake.account,
    deny: fake.deny,
    byPath: countByPath(fake),
  };
}

function countByPath(fake: FakeSpotify): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { url } of fake.requests) counts[url.pathname] = (counts[url.pathname] ?? 0) + 1;
  return counts;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
