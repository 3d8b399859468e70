/**
 * Builds what a deploy ships, the function's zip (by Netlify's own bundler,
 * through `netlify functions:build`) and the site (`astro build`, in a private
 * copy), and checks that neither carries the fake Spotify or its fixtures.
 * They live in test-support/; demo mode has plain data of its own, and the
 * dev-only states page loads them only under the dev server.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFunctionBundle, unpackFunction } from '../../scripts/bench/function-bundle';
import { buildPrivateCopy, type PrivateBuild } from '../../scripts/private-build';
import { SCENARIOS } from '../../test-support/fake-spotify/scenarios';
import { EPISODE, HOSTILE_TRACK, LOCAL_FILE_TRACK } from '../../test-support/fixtures';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Strings only the fixtures and the fake contain, each plain ASCII without
 * quotes so the bundler writes it unchanged: the hostile title up to its first
 * quote, two fixture titles, a scenario's description and the fake's tokens.
 */
const NEEDLES = [
  HOSTILE_TRACK.name!.slice(0, HOSTILE_TRACK.name!.indexOf('"')),
  LOCAL_FILE_TRACK.name!,
  EPISODE.name!,
  SCENARIOS.hung,
  'fake-access-',
];

let scratch: string;
let site: PrivateBuild;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'function-build-'));
  // readFunctionBundle looks where `netlify serve` writes: <project>/.netlify/functions/.
  const result = spawnSync('npx', ['netlify', 'functions:build', '--src', 'netlify/functions', '--functions', join(scratch, '.netlify/functions')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`netlify functions:build failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  site = buildPrivateCopy();
}, 240_000);
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  site?.remove();
});

/** Every regular file under `dir`, not following links. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

function fixturesIn(files: string[]): string[] {
  return files.flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return NEEDLES.filter((needle) => text.includes(needle)).map((needle) => `${file}: ${needle}`);
  });
}

describe('what a deploy ships', () => {
  it('holds no fixture and no fake in the function bundle', () => {
    const bundle = readFunctionBundle(scratch, 'spotify');
    const ownModule = unpackFunction(bundle, join(scratch, 'unpacked'));
    expect(readFileSync(ownModule, 'utf8'), 'the bundle holds the demo data').toContain('Harbour Lights');
    expect(fixturesIn(filesUnder(join(scratch, 'unpacked')))).toEqual([]);
  });

  it('holds no fixture and no fake in the site build, server or client', () => {
    const files = [...filesUnder(join(site.dir, '.netlify')), ...filesUnder(join(site.dir, 'dist'))];
    expect(files.some((file) => file.includes('states')), 'the build has the states page (as a 404)').toBe(true);
    expect(fixturesIn(files)).toEqual([]);
  });
});
