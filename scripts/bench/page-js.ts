/**
 * (b): the gzipped JavaScript the home page loads, counted exactly as
 * `npm run size` counts it (scripts/size.ts on its private production build),
 * so there is one definition of the figure.
 */
import { BUDGET_BYTES, measureHomePage, totalGzipped } from '../size';

export interface PageJavaScript {
  gzipBytes: number;
  budgetBytes: number;
  detail: string;
}

export async function measurePageJavaScript(): Promise<PageJavaScript> {
  const scripts = await measureHomePage();
  const biggest = [...scripts].sort((a, b) => b.gzipped - a.gzipped)[0];
  return {
    gzipBytes: totalGzipped(scripts),
    budgetBytes: BUDGET_BYTES,
    detail: `${scripts.length} scripts${biggest ? `, largest ${biggest.name} ${(biggest.gzipped / 1024).toFixed(1)} KB` : ''} (npm run size's count)`,
  };
}
