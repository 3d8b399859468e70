/**
 * Editing .env as text: other lines, comments and line endings survive, the
 * value written is the one every reader sees, and it reads back unchanged
 * through Node's util.parseEnv (the parser of process.loadEnvFile, which astro dev uses).
 */
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { setDotenvValues } from '../../scripts/authorize/dotenv';

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
});

describe('a key assigned more than once', () => {
  const before = '# token\nSPOTIFY_REFRESH_TOKEN=\nOTHER=1\n# again\nSPOTIFY_REFRESH_TOKEN=old\nTAIL=2\n';

  it('is rewritten on its last line, with the earlier assignments dropped and everything else kept', () => {
    expect(setDotenvValues(before, { SPOTIFY_REFRESH_TOKEN: 'new' })).toBe('# token\nOTHER=1\n# again\nSPOTIFY_REFRESH_TOKEN=new\nTAIL=2\n');
  });

  it('reads back with the new value', () => {
    const after = setDotenvValues(before, { SPOTIFY_REFRESH_TOKEN: 'new', TAIL: '3' });
    expect(parseEnv(after)).toEqual({ SPOTIFY_REFRESH_TOKEN: 'new', OTHER: '1', TAIL: '3' });
  });
});

describe('a value written and read back', () => {
  const VALUES = {
    BACKSLASH: 'a"b\\c d',
    TRAILING_BACKSLASH: 'ends with \\',
    BACKSLASH_N: 'not a \\n newline',
    HASH: 'a#b',
    HASH_AND_QUOTES: 'has space # and "quote"',
    SPACES: '  padded  ',
    SINGLE_QUOTE: "it's \\here",
    BOTH_QUOTES: `say "it's" \\now`,
    NEWLINE: 'two\nlines',
    TOKEN: 'AQD-x_y.z/+=~@:',
    EMPTY: '',
  };

  it('is unchanged', () => {
    expect(parseEnv(setDotenvValues('# values\n', VALUES))).toEqual(VALUES);
  });

  it('is refused, not mangled, when no .env form holds it unchanged', () => {
    expect(() => setDotenvValues('', { A: `'"\`\\n` })).toThrow(/cannot hold unchanged/);
  });
});
