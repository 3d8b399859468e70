/**
 * Load runs against a served function with the server's memory before and
 * after. Any non-2xx answer counts as an error.
 */
import autocannon from 'autocannon';

export interface LoadResult {
  tool: string;
  requests: number;
  connections: number;
  p50Ms: number;
  p99Ms: number;
  /** Connection errors + timeouts + non-2xx answers. */
  errors: number;
  non2xx: number;
  durationS: number;
  rssBeforeBytes: number | null;
  rssAfterBytes: number | null;
}

interface LoadOptions {
  url: string;
  requests: number;
  connections: number;
  rss: () => number | null;
}

/** autocannon, for a server that keeps connections alive. */
export async function autocannonLoad(options: LoadOptions): Promise<LoadResult> {
  const rssBeforeBytes = options.rss();
  const result = await autocannon({ url: options.url, connections: options.connections, amount: options.requests, timeout: 30 });
  return {
    tool: 'autocannon',
    requests: result.requests.total,
    connections: options.connections,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    // autocannon's `errors` already includes timeouts.
    errors: result.errors + result.non2xx,
    non2xx: result.non2xx,
    durationS: result.duration,
    rssBeforeBytes,
    rssAfterBytes: options.rss(),
  };
}

/**
 * Plain fetch loops, for the local `netlify serve` proxy: it closes every
 * connection after one answer, which autocannon 8 miscounts (it reported twice
 * the requests sent as answered, and latencies several times the real ones).
 */
export async function fetchLoad(options: LoadOptions): Promise<LoadResult> {
  const rssBeforeBytes = options.rss();
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let started = 0;
  const began = performance.now();
  const worker = async () => {
    while (started < options.requests) {
      started += 1;
      const sent = performance.now();
      try {
        const response = await fetch(options.url, { signal: AbortSignal.timeout(30_000) });
        await response.arrayBuffer();
        if (response.status < 200 || response.status > 299) non2xx += 1;
      } catch {
        errors += 1;
      }
      latencies.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: options.connections }, worker));
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? NaN;
  return {
    tool: 'fetch loops',
    requests: latencies.length,
    connections: options.connections,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    errors: errors + non2xx,
    non2xx,
    durationS: (performance.now() - began) / 1000,
    rssBeforeBytes,
    rssAfterBytes: options.rss(),
  };
}
