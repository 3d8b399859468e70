import { SpotifyError, fail, ok, type Result } from './errors';
import { DEFAULT_RETRY_AFTER_S } from './limits';

export type Fetch = typeof globalThis.fetch;

interface UpstreamAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * The one place the core touches the network. Timeouts and unreachable hosts
 * become typed errors; statuses are left to the caller, which knows what each
 * one means for its endpoint.
 */
export async function callUpstream(
  fetch: Fetch,
  url: string,
  init: RequestInit,
  options: { timeoutMs: number; what: string; signal?: AbortSignal },
): Promise<Result<UpstreamAnswer>> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  try {
    const response = await fetch(url, { ...init, signal });
    // 204 has no body; reading it anyway is harmless and keeps one code path.
    const text = await response.text();
    return ok({ status: response.status, headers: response.headers, text });
  } catch (error) {
    if (timeout.aborted) {
      return fail(new SpotifyError('upstream_timeout', `Spotify's ${options.what} did not answer within ${options.timeoutMs / 1000} s.`));
    }
    // The caller's whole-call deadline ran out (see CALL_BUDGET_MS): still Spotify being slow.
    if (options.signal?.aborted && (options.signal.reason as Error | undefined)?.name === 'TimeoutError') {
      return fail(new SpotifyError('upstream_timeout', `Spotify's ${options.what} did not answer in time.`));
    }
    return fail(
      new SpotifyError('upstream_error', `Could not reach Spotify's ${options.what} at ${new URL(url).origin} (${networkReason(error)}).`),
    );
  }
}

/** A short, secret-free reason for a failed fetch: Node puts the useful code in `cause`. */
function networkReason(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.name : 'unknown error';
}

/** The faults every Spotify endpoint shares: rate limiting and server errors. */
export function commonFault(answer: UpstreamAnswer, what: string): SpotifyError | null {
  if (answer.status === 429) {
    const retryAfterSeconds = parseRetryAfter(answer.headers.get('retry-after'));
    const quota = answer.text.includes('QUOTA_EXCEEDED') ? ' (the app has used up its quota)' : '';
    return new SpotifyError('rate_limited', `Spotify is rate limiting calls to its ${what}${quota}. Retry after ${retryAfterSeconds} s.`, {
      retryAfterSeconds,
    });
  }
  if (answer.status >= 500) {
    return new SpotifyError('upstream_error', `Spotify's ${what} failed with HTTP ${answer.status}.`);
  }
  return null;
}

export function parseJson<T>(answer: UpstreamAnswer, what: string): Result<T> {
  try {
    const body: unknown = JSON.parse(answer.text);
    if (body !== null && typeof body === 'object') return ok(body as T);
  } catch {
    // fall through: a malformed body is reported below
  }
  return fail(new SpotifyError('upstream_error', `Spotify's ${what} sent a malformed body.`));
}

/**
 * The shape of an HTTP-date (RFC 9110 §5.6.7) in any of its three forms:
 * "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT" and
 * "Sun Nov  6 08:49:37 1994". Checked before Date.parse, which reads
 * garbage such as "1.5" or "-5" as dates in 2001.
 */
const HTTP_DATE = /^[A-Z][a-z]{2,8},? [\dA-Za-z -]+ \d{2}:\d{2}:\d{2}(?: \d{4})?(?: GMT)?$/;

/**
 * Seconds from a Retry-After header: delay-seconds, or an HTTP-date counted
 * from `now`. At least 1, so a date already past still means "wait"; a value
 * that is neither gives DEFAULT_RETRY_AFTER_S.
 */
export function parseRetryAfter(header: string | null, now: Date = new Date()): number {
  const value = header?.trim() ?? '';
  if (/^\d+$/.test(value)) return Math.max(1, Number(value));
  // asctime dates carry no zone, but HTTP-dates are all GMT.
  const date = HTTP_DATE.test(value) ? Date.parse(value.endsWith('GMT') ? value : `${value} GMT`) : Number.NaN;
  if (!Number.isNaN(date)) return Math.max(1, Math.ceil((date - now.getTime()) / 1000));
  return DEFAULT_RETRY_AFTER_S;
}
