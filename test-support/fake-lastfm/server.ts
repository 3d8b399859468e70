/**
 * The in-memory fake Last.fm served over HTTP on loopback, for the e2e tests
 * (tests/e2e/lastfm.e2e.ts).
 * Point a Last.fm reader's `apiUrl` at the server's URL.
 *
 * Control endpoints (not part of Last.fm):
 *   POST /__control  {"reset"?: true, "scenario"?: LastfmScenarioName}
 *                    `reset` starts a fresh fake (default scenario, empty request log)
 *                    before the scenario applies. Answers the state.
 *   GET  /__state    {"scenario", "requests", "byMethod"}
 *                    `byMethod` counts the requests per Last.fm method (`user.getrecenttracks`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, serveOnLoopback } from '../serve/fake-server';
import { createFakeLastfm, isLastfmScenarioName, type FakeLastfm, type FakeLastfmOptions, type LastfmScenarioName } from './fake-lastfm';

export interface FakeLastfmServer {
  url: string;
  /** The fake currently answering; replaced by a `reset`. */
  readonly fake: FakeLastfm;
  close(): Promise<void>;
}

export interface FakeLastfmControl {
  reset?: boolean;
  scenario?: LastfmScenarioName;
}

export interface FakeLastfmState {
  scenario: LastfmScenarioName;
  requests: number;
  byMethod: Record<string, number>;
}

export async function startFakeLastfmServer(options: FakeLastfmOptions & { port?: number } = {}): Promise<FakeLastfmServer> {
  const holder = { fake: createFakeLastfm(options) };
  const served = await serveOnLoopback((req, res) => route(holder, options, req, res), 'fake last.fm', options.port);
  return {
    url: served.url,
    get fake() {
      return holder.fake;
    },
    close: served.close,
  };
}

/** Drives a running fake Last.fm server. */
export async function controlFakeLastfm(fakeUrl: string, control: FakeLastfmControl): Promise<FakeLastfmState> {
  const response = await fetch(`${fakeUrl}/__control`, { method: 'POST', body: JSON.stringify(control) });
  if (!response.ok) throw new Error(`The fake Last.fm refused ${JSON.stringify(control)}: ${await response.text()}`);
  return (await response.json()) as FakeLastfmState;
}

/** What a running fake Last.fm has received since its last reset. */
export async function fakeLastfmState(fakeUrl: string): Promise<FakeLastfmState> {
  const response = await fetch(`${fakeUrl}/__state`);
  return (await response.json()) as FakeLastfmState;
}

async function route(holder: { fake: FakeLastfm }, options: FakeLastfmOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);

  if (url.pathname === '/__control' && req.method === 'POST') {
    const control = JSON.parse(body || '{}') as { reset?: unknown; scenario?: unknown };
    if (control.scenario !== undefined && (typeof control.scenario !== 'string' || !isLastfmScenarioName(control.scenario))) {
      return send(res, 400, { error: `unknown scenario ${String(control.scenario)}` });
    }
    if (control.reset === true) holder.fake = createFakeLastfm(options);
    if (control.scenario !== undefined) holder.fake.scenario = control.scenario;
    return send(res, 200, state(holder.fake));
  }
  if (url.pathname === '/__state') return send(res, 200, state(holder.fake));

  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value);
  }
  const response = await holder.fake.handle(new Request(url, { method: req.method, headers }));
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(await response.text());
}

function state(fake: FakeLastfm): FakeLastfmState {
  const byMethod: Record<string, number> = {};
  for (const { url } of fake.requests) {
    const method = url.searchParams.get('method')?.toLowerCase() ?? '(none)';
    byMethod[method] = (byMethod[method] ?? 0) + 1;
  }
  return { scenario: fake.scenario, requests: fake.requests.length, byMethod };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
