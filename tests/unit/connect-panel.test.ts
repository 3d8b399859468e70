/**
 * /connect's owner-facing commands (src/components/CommandText.astro inside
 * ConnectPanel.astro): each is a <code> that never breaks inside, so
 * `npm run authorize -- --netlify` is never split at `-- --netlify`. The
 * rendered markup is checked in tests/e2e/dev-server.e2e.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('ConnectPanel', () => {
  it('keeps each command on one line: its code rule does not wrap', () => {
    const source = readFileSync(new URL('../../src/components/ConnectPanel.astro', import.meta.url), 'utf8');
    const rule = /^\s*\.panel :global\(code\) \{([^}]*)\}/m.exec(source)?.[1] ?? '';
    expect(rule, 'the .panel code rule').toContain('white-space: nowrap;');
  });
});
