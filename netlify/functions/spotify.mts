import type { Config, Context } from '@netlify/functions';
import { apiResponse, redirectToPath } from '../../src/lib/spotify/http';
import { parseListeningQuery } from '../../src/lib/spotify/query';
import { SpotifyError, fail } from '../../src/lib/spotify/types';
import { loadListening } from '../../src/server/listening-service';

/** `GET /api/spotify`: the widget's public API. The contract is in docs/api.md. */
export default async function handler(request: Request, context?: Partial<Pick<Context, 'deploy' | 'waitUntil'>>): Promise<Response> {
  const method = request.method; // Request upper-cases GET and HEAD however they were written.
  // Checked here rather than with `config.method`, which would make the
  // platform answer other methods before this code could send 405 + Allow.
  if (method !== 'GET' && method !== 'HEAD') {
    return apiResponse(fail(new SpotifyError('method_not_allowed', `${method} is not supported. Use GET or HEAD.`)), method);
  }
  const url = new URL(request.url);
  // The platform also routes /API/spotify, /api/Spotify and /api/spotify/ here: each would be a CDN entry of its own.
  if (url.pathname !== PATH) return redirectToPath(url, PATH);
  const query = parseListeningQuery(url.search);
  // waitUntil: a refresh (and a rotated token's write) must finish even after the answer has gone.
  const result = query.ok ? await loadListening(query.value, { deployContext: context?.deploy?.context, origin: url.origin, waitUntil: context?.waitUntil?.bind(context) }) : query;
  return apiResponse(result, method);
}

const PATH = '/api/spotify';
// A literal: Netlify reads `config` statically, without running this module.
export const config: Config = { path: '/api/spotify' };
