/**
 * CORS on /api/spotify: any origin may read GET and HEAD answers (the
 * `<listening-widget>` element on other sites); nothing else changes.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { callFunction, configureCredentials } from '../helpers/function';
import { useFakeSpotify } from '../mocks/spotify';

beforeEach(() => {
  configureCredentials();
  useFakeSpotify({ scenario: 'playing' });
});

const corsOf = (response: Response) => ({
  origin: response.headers.get('access-control-allow-origin'),
  exposed: response.headers.get('access-control-expose-headers'),
  credentials: response.headers.get('access-control-allow-credentials'),
  cookie: response.headers.get('set-cookie'),
});

describe('GET /api/spotify: CORS', () => {
  it('lets any origin read GET and HEAD answers, errors and Retry-After included, without credentials', async () => {
    for (const [query, method, status] of [['', 'GET', 200], ['', 'HEAD', 200], ['?limit=0', 'GET', 400]] as const) {
      const response = await callFunction(query, { method, headers: { Origin: 'https://blog.example' } });
      expect(response.status).toBe(status);
      expect(corsOf(response), `${method} ${query}`).toEqual({ origin: '*', exposed: 'Retry-After', credentials: null, cookie: null });
    }
  });

  it('keeps 405 for every other method, OPTIONS included: a GET needs no preflight', async () => {
    for (const method of ['OPTIONS', 'POST']) {
      const response = await callFunction('', { method, headers: { Origin: 'https://blog.example' } });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
      expect(corsOf(response).origin, method).toBeNull();
    }
  });
});
