/**
 * `npm run size`: the gzipped JavaScript the home page loads, from a fresh
 * production build: the inline scripts in its HTML, the island's component
 * and renderer modules, and every module they import statically. Dynamic
 * imports that this page never triggers (Preact signals) do not count.
 * Then the function's request path: the source files one `/api/spotify`
 * call is bundled from, and their code. Exits 1 over either budget.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { buildPrivateCopy, renderPath } from './private-build';

export const BUDGET_BYTES = 12 * 1024;
/**
 * `/embed.js` carries a kilobyte more than the page's scripts: Spotify's icon, which its
 * guidelines require beside the data. The page gets the icon server-rendered instead.
 */
export const EMBED_BUDGET_BYTES = 13 * 1024;

const attr = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]+)"`).exec(tag)?.[1];
/**
 * Static `import … from "./x.js"`, `import "./x.js"` and `export … from "./x.js"`; not `import("./x.js")`.
 * Netlify's builds add a query for skew protection (`./x.js?dpl=…`), which must not hide the module.
 */
const STATIC_IMPORT = /(?:\bimport|\bexport)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["'`](\.{1,2}\/[^"'`?]+\.js)(?:\?[^"'`]*)?["'`]/g;

export interface Script {
  name: string;
  bytes: number;
  gzipped: number;
}

/** Every script the HTML loads, following static imports from `/_astro/` files in `clientDir`. */
export function pageScripts(html: string, clientDir: string): Script[] {
  const scripts: Script[] = [];
  const seen = new Set<string>();
  const add = (name: string, code: string) =>
    scripts.push({ name, bytes: Buffer.byteLength(code), gzipped: gzipSync(code).length });

  let inline = 0;
  for (const [, attrs = '', body = ''] of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    const src = attr(attrs, 'src');
    if (src) queue(src);
    else if (!/type="application\/(?:ld\+)?json"/.test(attrs)) add(`inline script #${++inline}`, body);
  }
  for (const [tag] of html.matchAll(/<astro-island\b[^>]*>/g)) {
    for (const name of ['component-url', 'renderer-url', 'before-hydration-url']) {
      const url = attr(tag, name);
      if (url) queue(url);
    }
  }
  for (const [tag] of html.matchAll(/<link\b[^>]*rel="modulepreload"[^>]*>/g)) queue(attr(tag, 'href') ?? '');

  function queue(url: string) {
    const path = url.split('?')[0] ?? '';
    if (!path.startsWith('/') || seen.has(path)) return;
    seen.add(path);
    const code = readFileSync(join(clientDir, path), 'utf8');
    add(path, code);
    for (const [, relative = ''] of code.matchAll(STATIC_IMPORT)) queue(new URL(relative, `http://x${path}`).pathname);
  }
  return scripts;
}

/** The scripts the home page loads, from a fresh production build in a private copy of the project. */
export async function measureHomePage(): Promise<Script[]> {
  const build = buildPrivateCopy();
  try {
    const response = await renderPath(build.dir, '/');
    if (!response.ok) throw new Error(`The home page answered ${response.status}; cannot measure its scripts.`);
    return pageScripts(await response.text(), join(build.dir, 'dist'));
  } finally {
    build.remove();
  }
}

/** The request path's goal: at most this many source files, and this much of their code in KB, rounded. */
export const REQUEST_PATH_FILES = 16;
export const REQUEST_PATH_KB = 40;

/**
 * The source files `entry` is bundled from and the bytes their code takes in
 * esbuild's bundle, packages left external; dependencies and Last.fm's
 * modules (the second source, read only when it is set up) do not count.
 */
export async function requestPath(entry: string): Promise<{ files: string[]; bytes: number }> {
  const { metafile } = await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', packages: 'external', metafile: true, write: false, outdir: 'out', logLevel: 'error' });
  const own = (path: string) => !path.includes('node_modules') && !/last-?fm/i.test(path);
  const inputs = Object.values(metafile.outputs).flatMap((output) => Object.entries(output.inputs));
  return {
    files: Object.keys(metafile.inputs).filter(own),
    bytes: inputs.reduce((sum, [path, input]) => sum + (own(path) ? input.bytesInOutput : 0), 0),
  };
}

export const totalGzipped = (scripts: Script[]): number => scripts.reduce((sum, script) => sum + script.gzipped, 0);

async function main() {
  const scripts = await measureHomePage();
  const total = totalGzipped(scripts);
  for (const script of scripts) {
    console.log(`${(script.gzipped / 1024).toFixed(2).padStart(6)} KB gz  ${(script.bytes / 1024).toFixed(2).padStart(6)} KB  ${script.name}`);
  }
  const verdict = total <= BUDGET_BYTES ? 'within' : 'OVER';
  console.log(`Total JavaScript the page loads: ${(total / 1024).toFixed(2)} KB gzipped, ${verdict} the ${BUDGET_BYTES / 1024} KB budget.`);
  if (total > BUDGET_BYTES) {
    console.error('Trim the island (src/components/) or drop a dependency to get back under budget.');
    process.exitCode = 1;
  }
  const path = await requestPath('netlify/functions/spotify.mts');
  const kb = Math.round(path.bytes / 1024);
  const within = path.files.length <= REQUEST_PATH_FILES && kb <= REQUEST_PATH_KB;
  console.log(
    `One /api/spotify request: ${path.files.length} source files, ${kb} KB of their code (${path.bytes} B, in whole KB as the goal counts), ${within ? 'within' : 'OVER'} the goal of ${REQUEST_PATH_FILES} files and ${REQUEST_PATH_KB} KB.`,
  );
  if (!within) {
    console.error('Merge modules that are always read together, or move code off the request path.');
    process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
