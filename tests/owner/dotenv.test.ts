/**
 * Editing .env as text: other lines, comments and line endings survive, the
 * value written is the one every reader sees, and it reads back unchanged
 * through both parseDotenv and Node's process.loadEnvFile (what astro dev uses).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDotenv, setDotenvValues } from '../../scripts/authorize/dotenv';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'owner-dotenv-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What a fresh Node process sees after `process.loadEnvFile(file)`, with nothing in its own environment. */
async function loadedByNode(text: string, keys: string[]): Promise<Record<string, string | undefined>> {
  const file = join(dir, '.env');
  await writeFile(file, text);
  const script = `process.loadEnvFile(${JSON.stringify(file)}); console.log(JSON.stringify(Object.fromEntries(${JSON.stringify(keys)}.map((key) => [key, process.env[key]]))));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { env: {}, encoding: 'utf8' })) as Record<string, string | undefined>;
}

describe('setDotenvValues', () => {
  it('replaces the line that assigns a key and keeps every other line as written', () => {
    const before = '# header\nA=1\n\nexport B = two # note\nC="x y"\n';
    expect(setDotenvValues(before, { B: 'new' })).toBe('# header\nA=1\n\nB=new\nC="x y"\n');
  });

  it('appends keys that are missing, with a final newline', () => {
    expect(setDotenvValues('A=1', { B: '2' })).toBe('A=1\nB=2\n');
    expect(setDotenvValues('', { B: '2' })).toBe('B=2\n');
  });

  it('leaves a commented-out assignment alone', () => {
    expect(setDotenvValues('# B=old\n', { B: 'new' })).toBe('# B=old\nB=new\n');
  });

  it('keeps Windows line endings', () => {
    expect(setDotenvValues('A=1\r\nB=2\r\n', { A: '9' })).toBe('A=9\r\nB=2\r\n');
  });

  it('quotes values that would not survive unquoted, and reads them back', () => {
    const text = setDotenvValues('', { A: 'has space # and "quote"' });
    expect(parseDotenv(text).A).toBe('has space # and "quote"');
  });
});

describe('a key assigned more than once', () => {
  const before = '# token\nSPOTIFY_REFRESH_TOKEN=\nOTHER=1\n# again\nSPOTIFY_REFRESH_TOKEN=old\nTAIL=2\n';

  it('is rewritten on its last line, with the earlier assignments dropped and everything else kept', () => {
    expect(setDotenvValues(before, { SPOTIFY_REFRESH_TOKEN: 'new' })).toBe('# token\nOTHER=1\n# again\nSPOTIFY_REFRESH_TOKEN=new\nTAIL=2\n');
  });

  it('gives parseDotenv and process.loadEnvFile the new value', async () => {
    const after = setDotenvValues(before, { SPOTIFY_REFRESH_TOKEN: 'new', TAIL: '3' });
    expect(parseDotenv(after)).toMatchObject({ SPOTIFY_REFRESH_TOKEN: 'new', OTHER: '1', TAIL: '3' });
    expect(await loadedByNode(after, ['SPOTIFY_REFRESH_TOKEN', 'OTHER', 'TAIL'])).toEqual({ SPOTIFY_REFRESH_TOKEN: 'new', OTHER: '1', TAIL: '3' });
  });
});

describe('a value written and read back', () => {
  const VALUES = {
    BACKSLASH: 'a"b\\c d',
    TRAILING_BACKSLASH: 'ends with \\',
    BACKSLASH_N: 'not a \\n newline',
    HASH: 'a#b',
    SPACES: '  padded  ',
    SINGLE_QUOTE: "it's \\here",
    BOTH_QUOTES: `say "it's" \\now`,
    NEWLINE: 'two\nlines',
    TOKEN: 'AQD-x_y.z/+=~@:',
    EMPTY: '',
  };

  it('is the same through parseDotenv and process.loadEnvFile', async () => {
    const text = setDotenvValues('# values\n', VALUES);
    expect(parseDotenv(text)).toEqual(VALUES);
    expect(await loadedByNode(text, Object.keys(VALUES))).toEqual(VALUES);
  });

  it('is refused, not mangled, when no .env form holds it unchanged', () => {
    expect(() => setDotenvValues('', { A: `'"\`\\n` })).toThrow(/cannot hold unchanged/);
  });
});

describe('parseDotenv reads quoted values as Node does', () => {
  const text = 'DQ="a\\\\b\\nc"\nSQ=\'x\\ny\' # note\nBT=`q"\'`\nCUT="first" second"\nUNQ=a#b\n';

  it('turns only \\n into a newline in double quotes and ends a value at its first closing quote', async () => {
    const keys = ['DQ', 'SQ', 'BT', 'CUT', 'UNQ'];
    const expected = { DQ: 'a\\\\b\nc', SQ: 'x\\ny', BT: `q"'`, CUT: 'first', UNQ: 'a' };
    expect(await loadedByNode(text, keys)).toEqual(expected);
    expect(parseDotenv(text)).toEqual(expected);
  });
});

describe('parseDotenv', () => {
  it('reads plain, exported, quoted and commented values', () => {
    expect(parseDotenv('A=1\nexport B=2\nC="3 3"\nD=4 # note\n# E=5\nF=\n')).toEqual({ A: '1', B: '2', C: '3 3', D: '4', F: '' });
  });

  it('uses the last assignment of a repeated key, as Node does', async () => {
    const text = 'A=first\nA=second\n';
    expect(parseDotenv(text).A).toBe('second');
    expect((await loadedByNode(text, ['A'])).A).toBe('second');
  });
});
