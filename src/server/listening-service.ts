import {
  SpotifyError,
  fail,
  getDemoListening,
  getListening,
  readConfig,
  type EnvAccessor,
  type Fetch,
  type Listening,
  type ListeningQuery,
  type Result,
} from '../lib/spotify';
import { runtimeEnv } from './env';

export interface ServiceOptions {
  env?: EnvAccessor;
  fetch?: Fetch;
  signal?: AbortSignal;
  now?: () => Date;
}

/**
 * The listening data for a request, from whichever source the environment
 * allows: the owner's Spotify account, or demo data on an unconfigured
 * machine that is not a deployed site. Shared by the function and the page.
 */
export async function loadListening(query: ListeningQuery, options: ServiceOptions = {}): Promise<Result<Listening>> {
  const env = options.env ?? runtimeEnv;
  const state = readConfig(env);
  if (state.status === 'demo') return getDemoListening(query, options.now);
  if (state.status === 'invalid') return fail(new SpotifyError('not_configured', state.message));

  return getListening({
    fetch: options.fetch ?? globalThis.fetch,
    config: state.config,
    query,
    now: options.now,
    signal: options.signal,
    log: console,
  });
}
