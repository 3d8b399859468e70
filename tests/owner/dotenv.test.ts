/** Editing .env as text: other lines, comments and line endings survive. */
import { describe, expect, it } from 'vitest';
import { parseDotenv, setDotenvValues } from '../../scripts/authorize/dotenv';

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

describe('parseDotenv', () => {
  it('reads plain, exported, quoted and commented values', () => {
    expect(parseDotenv('A=1\nexport B=2\nC="3 3"\nD=4 # note\n# E=5\nF=\n')).toEqual({ A: '1', B: '2', C: '3 3', D: '4', F: '' });
  });
});
