/**
 * `npm run bench`: measures the function and the page, prints the figures as
 * Markdown tables and writes them to docs/benchmarks.md.
 * In this process, with no build (the real service, the in-memory fake Spotify):
 *   (e) a simulated day on a fake clock, three profiles (scripts/bench/day-profiles.ts):
 *       Spotify requests in the worst rolling 24 h against the budget, the age and lag of
 *       the data shown, and the share of answers that carry data;
 *   (a) latency a call served from the shared state owes Spotify (upstream delayed by
 *       --state-delay ms, real time, every call within the refresh interval), beside a
 *       per-call read (SPOTIFY_REFRESH_INTERVAL_S=0) against the same fake.
 * Then it builds the site, serves the production build with `netlify serve --offline`
 * against the HTTP fake Spotify, and measures:
 *   (a) latency one call owes to Spotify (upstream delayed by L) vs the naive sequential
 *       pattern, with SPOTIFY_REFRESH_INTERVAL_S=0 (every call reads Spotify),
 *   (b) the page's gzipped JavaScript vs its budget (the widget's size script),
 *   (c) the function's bundle as Netlify's bundler builds it,
 *   (d) load runs: p50, p99, errors (must be 0) and the server's memory before and after,
 *       against the bundled function as one warm instance (autocannon, 5,000 requests at
 *       concurrency 50, the default refresh interval: answers come from the shared state)
 *       and, shorter, against `netlify serve` itself (interval 0).
 * Why two load runs: the local `netlify serve` starts a fresh worker for every call
 * (~130 ms of CPU each, ~80 MB each while it lives). On two cores it answers about
 * 5-10 calls a second, so 5,000 calls at concurrency 50 would take over a quarter of
 * an hour and several GB; a deployed function instance is warm and serves many calls.
 * Exits non-zero when a load run has errors, the page is over budget, or a simulated
 * day spends more than its budget or shows an item the player never had.
 *
 * Options: --delay 100  --samples 15  --requests 5000  --connections 50
 *          --serve-requests 200  --serve-connections 10  --state-delay 200  --day-hours 24
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeSpotifyServer } from '../../test-support/fake-spotify/server';
import { controlFake } from '../../test-support/fake-spotify/control';
import { startNetlifyServe, type ServedSite } from '../../test-support/serve/netlify-serve';
import { queryOf } from '../../src/lib/spotify/query';
import { site as siteConfig } from '../../src/site.config';
import { cacheBuster, frontPageSpike, oneTab } from './day-profiles';
import { readFunctionBundle, unpackFunction } from './function-bundle';
import { createInProcessService } from './in-process';
import { measureOwedLatency, type OwedLatency } from './latency';
import { autocannonLoad, fetchLoad, type LoadResult } from './load';
import { describeMachine } from './machine';
import { naiveListening } from './naive';
import { measurePageJavaScript } from './page-js';
import { benchmarksDocument, dayTable, figuresTable, type Row } from './report';
import { simulateDay, type DayFigures } from './simulated-day';
import { startWarmFunction, type WarmFunction } from './warm-function';

const { values } = parseArgs({
  options: {
    delay: { type: 'string', default: '100' },
    samples: { type: 'string', default: '15' },
    requests: { type: 'string', default: '5000' },
    connections: { type: 'string', default: '50' },
    'serve-requests': { type: 'string', default: '200' },
    'serve-connections': { type: 'string', default: '10' },
    'state-delay': { type: 'string', default: '200' },
    'day-hours': { type: 'string', default: '24' },
  },
});
const delayMs = Number(values.delay);
const samples = Number(values.samples);
const requests = Number(values.requests);
const connections = Number(values.connections);
const serveRequests = Number(values['serve-requests']);
const serveConnections = Number(values['serve-connections']);
const stateDelayMs = Number(values['state-delay']);
const dayHours = Number(values['day-hours']);

const startedAt = new Date();
const projectDir = process.cwd();
const credentials = {
  clientId: 'bench-client-id',
  clientSecret: 'bench-client-secret',
  refreshToken: `bench-refresh-${randomBytes(6).toString('hex')}`,
};

const outputDir = join(projectDir, 'test-results', 'bench');
const step = (text: string) => console.error(`bench: ${text}`);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes: number | null) => (bytes === null ? 'n/a' : `${(bytes / 1024 ** 2).toFixed(0)} MB`);
const ms = (value: number) => `${Math.round(value)} ms`;
// `+ 0` turns a rounded -0 into 0, so a figure of nothing never prints as -0.0×L.
const times = (value: number, of: number) => `${(Math.round((value / of) * 10) / 10 + 0).toFixed(1)}×L`;

let failed = false;
const rows: Row[] = [];

/* --- In this process: a simulated day, and what a call owes Spotify with and without the state --- */

const profiles = [oneTab(dayHours), frontPageSpike(5_000, 2, 50), cacheBuster(dayHours, 10)];
const days: DayFigures[] = [];
for (const profile of profiles) {
  step(`(e) simulated day, ${profile.name}: ${profile.description}`);
  days.push(await simulateDay(profile));
}

/**
 * What a call owes Spotify in this process, in real time: the first call warms
 * the state (or, at interval 0, only the code), then measureOwedLatency times
 * calls at L=0 and L=--state-delay, all within one refresh interval.
 */
async function inProcessOwed(intervalS: number | undefined): Promise<{ latency: OwedLatency; calls: number; spotifyRequests: number }> {
  const service = createInProcessService({ now: () => new Date(), intervalS });
  const query = queryOf(siteConfig);
  const call = async () => {
    const result = await service.call(query);
    if (!result.ok) throw new Error(`the in-process service answered ${result.error.code} during the latency bench`);
  };
  await call();
  const before = service.fake.requests.length;
  const warmup = 1;
  const latency = await measureOwedLatency({
    call,
    setDelay: async (value) => {
      service.fake.delayMs = value;
    },
    delayMs: stateDelayMs,
    samples,
    warmup,
  });
  return { latency, calls: warmup + 2 * samples, spotifyRequests: service.fake.requests.length - before };
}

step(`(a) in process: ${samples} calls at L=0 and at L=${stateDelayMs} ms, from the shared state and with interval 0…`);
for (const [intervalS, label] of [
  [undefined, 'answered from the shared state (default interval)'],
  [0, 'SPOTIFY_REFRESH_INTERVAL_S=0 (reads Spotify every call)'],
] as const) {
  const { latency, calls, spotifyRequests } = await inProcessOwed(intervalS);
  const fine = (value: number) => `${value.toFixed(1)} ms`;
  rows.push([
    `(a) owed to Spotify per call, in process, L=${stateDelayMs} ms, ${label}`,
    `${ms(latency.owedMs)} (${times(latency.owedMs, stateDelayMs)})`,
    `medians ${fine(latency.medianAtZeroMs)}→${fine(latency.medianAtDelayMs)}, n=${samples}; ` +
      `Spotify requests during the ${calls} calls after the first: ${spotifyRequests}`,
  ]);
}

/* --- The production build, served --- */

const fake = await startFakeSpotifyServer({ scenario: 'playing', ...credentials });
let site: ServedSite | undefined;
let warm: WarmFunction | undefined;
try {
  step('building and starting netlify serve (production build)…');
  const env = {
    SPOTIFY_CLIENT_ID: credentials.clientId,
    SPOTIFY_CLIENT_SECRET: credentials.clientSecret,
    SPOTIFY_REFRESH_TOKEN: credentials.refreshToken,
    SPOTIFY_ACCOUNTS_URL: fake.url,
    SPOTIFY_API_URL: fake.url,
  };
  // Every call reads Spotify, so (a) compares one call's round trips with the naive pattern's.
  site = await startNetlifyServe({ cwd: projectDir, logFile: join(outputDir, 'netlify-serve.log'), env: { ...env, SPOTIFY_REFRESH_INTERVAL_S: '0' } });
  const served = site;
  const setDelay = async (ms: number) => {
    await controlFake(fake.url, { delayMs: ms });
  };
  const callFunction = async () => {
    const response = await fetch(`${served.url}/api/spotify`);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`/api/spotify answered ${response.status} during the latency bench`);
  };
  const callNaive = () => naiveListening(fake.url, credentials);

  for (const [scenario, label, naiveTrips] of [
    ['playing', 'a track is playing', 4],
    ['last_played', 'nothing playing → last played', 5],
  ] as const) {
    await controlFake(fake.url, { reset: true, scenario });
    step(`(a) latency, ${label}: ${samples} calls at L=0 and at L=${delayMs} ms, each way…`);
    const ours = await measureOwedLatency({ call: callFunction, setDelay, delayMs, samples });
    const naive = await measureOwedLatency({ call: callNaive, setDelay, delayMs, samples });
    rows.push([
      `(a) owed to Spotify per call, L=${delayMs} ms, ${label}, SPOTIFY_REFRESH_INTERVAL_S=0`,
      `/api/spotify ${ms(ours.owedMs)} (${times(ours.owedMs, delayMs)})`,
      `naive ${naiveTrips} trips ${ms(naive.owedMs)} (${times(naive.owedMs, delayMs)}); naive/ours ${(naive.owedMs / ours.owedMs).toFixed(1)}×; ` +
        `medians ours ${ms(ours.medianAtZeroMs)}→${ms(ours.medianAtDelayMs)}, naive ${ms(naive.medianAtZeroMs)}→${ms(naive.medianAtDelayMs)}, n=${samples}`,
    ]);
  }

  step('(b) page JavaScript…');
  const pageJs = await measurePageJavaScript();
  rows.push([
    '(b) page JavaScript, gzipped',
    `${kb(pageJs.gzipBytes)} of ${kb(pageJs.budgetBytes)}`,
    `${pageJs.gzipBytes <= pageJs.budgetBytes ? 'within' : 'OVER'} budget; ${pageJs.detail}`,
  ]);
  if (pageJs.gzipBytes > pageJs.budgetBytes) {
    failed = true;
    console.error(`\nThe page loads ${kb(pageJs.gzipBytes)} of gzipped JavaScript, over the ${kb(pageJs.budgetBytes)} budget.`);
  }

  step('(c) function bundle…');
  const bundle = readFunctionBundle(projectDir, 'spotify');
  rows.push([
    `(c) function bundle (${bundle.bundler}, .netlify/functions/spotify.zip)`,
    `${kb(bundle.zipBytes)} zip`,
    `own code ${bundle.ownCode.name} ${kb(bundle.ownCode.bytes)} (${kb(bundle.ownCode.compressedBytes)} compressed); Netlify's ` +
      bundle.entries
        .filter((file) => file.kind === 'file' && file !== bundle.ownCode)
        .map((file) => `${file.name} ${kb(file.bytes)}`)
        .join(', '),
  ]);

  await controlFake(fake.url, { reset: true, scenario: 'playing' });
  step(`(d) load on the bundled function, warm: ${requests} requests at concurrency ${connections}…`);
  const hosted = (warm = await startWarmFunction(unpackFunction(bundle, join(outputDir, 'function')), join(outputDir, 'blobs'), env));
  await fetch(`${hosted.url}/api/spotify`).then((response) => response.arrayBuffer());
  const warmLoad = await autocannonLoad({ url: `${hosted.url}/api/spotify`, requests, connections, rss: () => hosted.rssBytes() });
  hosted.close();

  step(`(d) load on netlify serve: ${serveRequests} requests at concurrency ${serveConnections}…`);
  const serveLoad = await fetchLoad({
    url: `${served.url}/api/spotify`,
    requests: serveRequests,
    connections: serveConnections,
    rss: () => served.rssBytes(),
  });

  const loadRow = (label: string, load: LoadResult): Row => [
    `(d) load, ${label}: ${load.requests} requests at concurrency ${load.connections}`,
    `p50 ${ms(load.p50Ms)}, p99 ${ms(load.p99Ms)}, errors ${load.errors}`,
    `${load.tool}; non-2xx ${load.non2xx}; ${load.durationS.toFixed(1)} s (${(load.requests / load.durationS).toFixed(0)} req/s); ` +
      `server RSS ${mb(load.rssBeforeBytes)} before → ${mb(load.rssAfterBytes)} after`,
  ];
  rows.push(loadRow('the bundled function as one warm instance, default interval (answers from the shared state)', warmLoad));
  rows.push(loadRow('local netlify serve (a fresh worker per call), SPOTIFY_REFRESH_INTERVAL_S=0', serveLoad));
  const loadErrors = warmLoad.errors + serveLoad.errors;
  if (loadErrors > 0) {
    failed = true;
    console.error(`\nThe load runs had ${loadErrors} errors; they must have none. Server log: ${served.logFile}`);
  }
} catch (error) {
  failed = true;
  console.error(error instanceof Error ? error.stack ?? error.message : error);
} finally {
  warm?.close();
  await site?.close();
  await fake.close();
}

for (const day of days) {
  if (day.worstDayRequests > day.dailyBudget) {
    failed = true;
    console.error(`\nThe simulated day "${day.profile.name}" sent ${day.worstDayRequests} Spotify requests in 24 h, over its budget of ${day.dailyBudget}.`);
  }
  if (day.wrongItems > 0) {
    failed = true;
    console.error(`\nThe simulated day "${day.profile.name}" showed ${day.wrongItems} times an item the player did not have when it was read.`);
  }
}

// The bars of issue 14 for one tab with the default settings: one exchange an hour, lag and age near a poll.
const tab = days.find((day) => day.profile.name === 'one tab');
if (tab && dayHours === 24) {
  const misses = [
    tab.exchanges > 30 && `${tab.exchanges} token exchanges (at most 30)`,
    tab.lag.medianMs > 0 && `lag median ${tab.lag.medianMs} ms (0)`,
    tab.lag.worstMs > 60_000 && `worst lag ${tab.lag.worstMs} ms (at most 60 s)`,
    tab.age.medianMs > 30_000 && `age median ${tab.age.medianMs} ms (at most 30 s)`,
  ].filter(Boolean);
  if (misses.length > 0) {
    failed = true;
    console.error(`\nThe one-tab day missed its bars: ${misses.join('; ')}.`);
  }
}

const report = {
  date: startedAt.toISOString(),
  machine: describeMachine(),
  command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
  rows,
  days,
  runSeconds: (Date.now() - startedAt.getTime()) / 1_000,
};
console.log(`\nBench on ${report.machine}, ${report.date}, ${Math.round(report.runSeconds)} s\n`);
console.log(figuresTable(rows));
console.log('');
console.log(dayTable(days));
// A failed run leaves the last good figures in place.
if (!failed) {
  writeFileSync(join(projectDir, 'docs', 'benchmarks.md'), benchmarksDocument(report));
  step('wrote docs/benchmarks.md');
}
process.exit(failed ? 1 : 0);
