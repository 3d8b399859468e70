/**
 * Builds the function's zip as a deploy ships it (by Netlify's own bundler,
 * through `netlify functions:build`) and checks that it carries neither the
 * fake Spotify nor its fixtures (no-secrets.test.ts checks the site build).
 * They live in test-support/; demo mode has plain data of its own, and the
 * dev-only states page loads them only under the dev server.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFunctionBundle, unpackFunction } from '../../scripts/bench/function-bundle';
import { filesUnder, needlesIn } from '../../scripts/private-build';
import { FIXTURE_NEEDLES } from './fixture-needles';

const ROOT = resolve(import.meta.dirname, '../..');

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'function-build-'));
  // readFunctionBundle looks where `netlify serve` writes: <project>/.netlify/functions/.
  const result = spawnSync('npx', ['netlify', 'functions:build', '--src', 'netlify/functions', '--functions', join(scratch, '.netlify/functions')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`netlify functions:build failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
}, 240_000);
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('what a deploy ships', () => {
  it('holds no fixture and no fake in the function bundle', () => {
    const bundle = readFunctionBundle(scratch, 'spotify');
    const ownModule = unpackFunction(bundle, join(scratch, 'unpacked'));
    expect(readFileSync(ownModule, 'utf8'), 'the bundle holds the demo data').toContain('Harbour Lights');
    expect(needlesIn(filesUnder(join(scratch, 'unpacked')), FIXTURE_NEEDLES)).toEqual([]);
  });
});
