/**
 * The dev-server glue: .env reaches process.env without overriding the
 * shell, and the owner hears once, at start-up, that the widget is on demo
 * data.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AstroIntegrationLogger } from 'astro';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEMO_NOTICE } from '../../src/lib/spotify/demo';
import { demoNotice, loadDotEnv } from '../../src/integrations/local-env';

function startServer(): ReturnType<typeof vi.fn> {
  const info = vi.fn();
  const hook = demoNotice().hooks['astro:server:start']!;
  void hook({ logger: { info } as unknown as AstroIntegrationLogger, address: {} as never, refreshContent: undefined } as never);
  return info;
}

describe('demoNotice', () => {
  it('tells the owner how to connect when no credential is set', () => {
    vi.stubEnv('SPOTIFY_CLIENT_ID', '');
    vi.stubEnv('SPOTIFY_CLIENT_SECRET', '');
    vi.stubEnv('SPOTIFY_REFRESH_TOKEN', '');
    vi.stubEnv('CONTEXT', '');
    const info = startServer();
    expect(info).toHaveBeenCalledOnce();
    expect(info).toHaveBeenCalledWith(DEMO_NOTICE);
    expect(DEMO_NOTICE).toContain('npm run authorize');
  });

  it('says nothing when Spotify is connected', () => {
    vi.stubEnv('SPOTIFY_CLIENT_ID', 'id');
    vi.stubEnv('SPOTIFY_CLIENT_SECRET', 'secret');
    vi.stubEnv('SPOTIFY_REFRESH_TOKEN', 'token');
    expect(startServer()).not.toHaveBeenCalled();
  });
});

describe('loadDotEnv', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads .env values without overriding variables already set, and ignores a missing file', () => {
    dir = mkdtempSync(join(tmpdir(), 'dotenv-'));
    const file = join(dir, '.env');
    writeFileSync(file, 'LW_TEST_FROM_FILE=file\nLW_TEST_SET_IN_SHELL=file\n');
    vi.stubEnv('LW_TEST_FROM_FILE', undefined);
    vi.stubEnv('LW_TEST_SET_IN_SHELL', 'shell');
    loadDotEnv(file);
    expect(process.env.LW_TEST_FROM_FILE).toBe('file');
    expect(process.env.LW_TEST_SET_IN_SHELL).toBe('shell');
    expect(() => loadDotEnv(join(dir, 'missing.env'))).not.toThrow();
  });
});
