/**
 * loadListening's whole-call deadline: whatever path a call takes (the token
 * store, a retry, the exchange, the reads), it answers upstream_timeout once
 * the call budget is spent, not only when one request's own timeout fires.
 */
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import { CALL_BUDGET_MS, DEFAULT_ACCOUNTS_URL, DEFAULT_QUERY, READ_TIMEOUT_MS, TOKEN_TIMEOUT_MS } from '../../src/lib/spotify';
import { loadListening } from '../../src/server/listening-service';
import { TEST_CREDENTIALS, useFakeSpotify } from '../mocks/spotify';
import { server } from '../setup/msw';

const env = (name: string) => (TEST_CREDENTIALS as Record<string, string>)[name];

describe('loadListening', () => {
  it('gives up when the call budget is spent, before any single request times out', async () => {
    useFakeSpotify();
    server.use(http.post(`${DEFAULT_ACCOUNTS_URL}/api/token`, () => new Promise<never>(() => undefined)));
    const result = await loadListening(DEFAULT_QUERY, { env, store: null, callBudgetMs: 50 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('upstream_timeout');
    // The token request's own 4 s timeout would say "within 4 s": this one is the call's deadline.
    expect(result.error.message).toContain('in time');
  });

  it('keeps the whole call, retry and store included, under the 10 s the contract promises', () => {
    expect(CALL_BUDGET_MS).toBeLessThan(10_000);
    expect(TOKEN_TIMEOUT_MS + READ_TIMEOUT_MS).toBeLessThanOrEqual(CALL_BUDGET_MS);
  });
});
