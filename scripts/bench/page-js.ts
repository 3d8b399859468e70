/**
 * (b): the gzipped JavaScript the home page loads, counted exactly as
 * `npm run size` counts it (scripts/size.ts on its private production build),
 * so there is one definition of the figure. Not the page `netlify serve`
 * serves: that build adds `?dpl=<deploy id>` to every module URL, which the
 * size script's import scan does not follow.
 */
import { join } from 'node:path';
import { buildPrivateCopy, renderPath } from '../private-build';
import { BUDGET_BYTES, pageScripts } from '../size';

export interface PageJavaScript {
  gzipBytes: number;
  budgetBytes: number;
  detail: string;
}

export async function measurePageJavaScript(): Promise<PageJavaScript> {
  const build = buildPrivateCopy();
  try {
    const response = await renderPath(build.dir, '/');
    if (!response.ok) throw new Error(`The home page answered ${response.status}; cannot measure its scripts.`);
    const scripts = pageScripts(await response.text(), join(build.dir, 'dist'));
    const gzipBytes = scripts.reduce((sum, script) => sum + script.gzipped, 0);
    const biggest = [...scripts].sort((a, b) => b.gzipped - a.gzipped)[0];
    return {
      gzipBytes,
      budgetBytes: BUDGET_BYTES,
      detail: `${scripts.length} scripts${biggest ? `, largest ${biggest.name} ${(biggest.gzipped / 1024).toFixed(1)} KB` : ''} (npm run size's count)`,
    };
  } finally {
    build.remove();
  }
}
