import {
  CALL_BUDGET_MS,
  SpotifyError,
  chooseRefreshToken,
  expiryWarning,
  fail,
  getDemoListening,
  getListening,
  readConfig,
  refreshTokenExpiry,
  rotatedRecord,
  tokenFingerprint,
  type EnvAccessor,
  type Fetch,
  type Listening,
  type ListeningQuery,
  type Logger,
  type RefreshTokenChoice,
  type Result,
  type SpotifyConfig,
} from '../lib/spotify';
import { runtimeEnv } from './env';
import { createBlobsTokenStore, type RefreshTokenStore, type StoredRefreshToken } from './token-store';

export interface ServiceOptions {
  env?: EnvAccessor;
  /** Netlify's deploy context of this request (`context.deploy.context`), which is how functions learn it at run time. */
  deployContext?: string;
  fetch?: Fetch;
  signal?: AbortSignal;
  now?: () => Date;
  /** The whole call's deadline (defaults to CALL_BUDGET_MS); a test shortens it. */
  callBudgetMs?: number;
  /** Where rotated refresh tokens persist. Defaults to Netlify Blobs; `null` turns persistence off. */
  store?: RefreshTokenStore | null;
  log?: Logger;
}

/** A slow or hung Blobs store must not eat the call's budget (budget.ts): it is only an optimisation over the env token. */
export const STORE_TIMEOUT_MS = 1_000;

let defaultStore: RefreshTokenStore | undefined;
/** Issue times already warned about: once per instance, since a warm function instance serves many calls. */
const warnedExpiries = new Set<string>();

/**
 * The listening data for a request, from whichever source the environment
 * allows: the owner's Spotify account, or demo data on an unconfigured
 * machine that is not a deployed site. Shared by the function and the page.
 */
export async function loadListening(query: ListeningQuery, options: ServiceOptions = {}): Promise<Result<Listening>> {
  const env = options.env ?? runtimeEnv;
  const state = readConfig(env, options.deployContext);
  if (state.status === 'demo') return getDemoListening(query, options.now);
  if (state.status === 'invalid') return fail(new SpotifyError('not_configured', state.message));

  const log = options.log ?? console;
  const now = options.now ?? (() => new Date());
  warnOfExpiry(state.config, now(), log);
  // One deadline over everything below, the store and a retry included, so the contract's 10 s holds on every path.
  const deadline = AbortSignal.timeout(options.callBudgetMs ?? CALL_BUDGET_MS);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;

  const store = options.store === undefined ? (defaultStore ??= createBlobsTokenStore()) : options.store;
  const environmentFingerprint = await tokenFingerprint(state.config.refreshToken);
  const stored = await readStore(store);
  const choice = chooseRefreshToken(state.config.refreshToken, environmentFingerprint, stored.ok ? stored.value.record : null);

  const attempt = (chosen: RefreshTokenChoice, version: StoredRefreshToken['version']) =>
    getListening({
      fetch: options.fetch ?? globalThis.fetch,
      config: { ...state.config, refreshToken: chosen.refreshToken },
      query,
      now: options.now,
      signal,
      log,
      onRefreshTokenRotated: store
        ? async (rotated) => {
            await withTimeout(store.write(rotatedRecord(rotated, environmentFingerprint, now()), version), 'saving the rotated token');
          }
        : undefined,
    });

  const result = await attempt(choice, stored.ok ? stored.value.version : { exists: false });
  if (result.ok || result.error.code !== 'reauthorization_required') return result;

  if (!stored.ok) {
    log.warn(`Spotify refused the refresh token, and the rotated one saved in Netlify Blobs could not be read: ${stored.reason}`);
    return result;
  }
  // Another instance may have rotated the persisted token since it was read:
  // Spotify then refuses the one this call used, but the store has its successor.
  if (store && choice.source === 'persisted') {
    const again = await readStore(store);
    if (again.ok) {
      const next = chooseRefreshToken(state.config.refreshToken, environmentFingerprint, again.value.record);
      if (next.refreshToken !== choice.refreshToken) return attempt(next, again.value.version);
    }
  }
  return result;
}

function warnOfExpiry(config: SpotifyConfig, now: Date, log: Logger): void {
  if (!config.refreshTokenIssuedAt) return;
  const key = config.refreshTokenIssuedAt.toISOString();
  if (warnedExpiries.has(key)) return;
  const warning = expiryWarning(refreshTokenExpiry(config.refreshTokenIssuedAt, now));
  if (!warning) return;
  warnedExpiries.add(key);
  log.warn(warning);
}

type StoreRead = { ok: true; value: StoredRefreshToken } | { ok: false; reason: string };

async function readStore(store: RefreshTokenStore | null): Promise<StoreRead> {
  if (!store) return { ok: true, value: { record: null, version: { exists: false } } };
  try {
    return { ok: true, value: await withTimeout(store.read(), 'reading the rotated token') };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Netlify Blobs did not answer within ${STORE_TIMEOUT_MS} ms when ${what}.`)), STORE_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
