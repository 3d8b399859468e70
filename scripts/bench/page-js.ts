/**
 * (b): the gzipped JavaScript the served home page loads, counted by the
 * widget's own size script (scripts/size.ts) so there is one definition of it.
 */
import { join } from 'node:path';
import { BUDGET_BYTES, pageScripts } from '../size';

export interface PageJavaScript {
  gzipBytes: number;
  budgetBytes: number;
  detail: string;
}

export async function measurePageJavaScript(siteUrl: string, projectDir: string): Promise<PageJavaScript> {
  const response = await fetch(`${siteUrl}/`);
  if (!response.ok) throw new Error(`The home page answered ${response.status}; cannot measure its scripts.`);
  const scripts = pageScripts(await response.text(), join(projectDir, 'dist'));
  const gzipBytes = scripts.reduce((sum, script) => sum + script.gzipped, 0);
  const biggest = [...scripts].sort((a, b) => b.gzipped - a.gzipped)[0];
  return {
    gzipBytes,
    budgetBytes: BUDGET_BYTES,
    detail: `${scripts.length} scripts (npm run size's count)${biggest ? `, largest ${biggest.name} ${(biggest.gzipped / 1024).toFixed(1)} KB` : ''}`,
  };
}
