import type { ErrorCode } from './types';

/**
 * Every failure the core reports. `code` is the contract's error code; the
 * message is safe to show the owner (it never contains a secret or token).
 */
export class SpotifyError extends Error {
  override readonly name = 'SpotifyError';
  readonly code: ErrorCode;
  /** Seconds the caller should wait, for `rate_limited`. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: { retryAfterSeconds?: number } = {}) {
    super(message);
    this.code = code;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** True when the fault lies with Spotify rather than with the request or the setup. */
  get isUpstream(): boolean {
    return UPSTREAM_CODES.has(this.code);
  }
}

const UPSTREAM_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'reauthorization_required',
  'scope_missing',
  'rate_limited',
  'upstream_error',
  'upstream_timeout',
]);

export type Result<T> = { ok: true; value: T } | { ok: false; error: SpotifyError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(error: SpotifyError): Result<T> => ({ ok: false, error });
