/**
 * `/embed.js`: the `<listening-widget>` element (src/embed/element.tsx) with
 * Preact and the widget's CSS in one minified ES module, built by esbuild
 * apart from Astro's own client bundles, since it must be one file at a fixed
 * URL that any origin can load. `astro build` writes it next to the site's
 * static files (so `netlify serve` and a deploy serve it, with the CORS header
 * from public/_headers); `astro dev` bundles it afresh on each request.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { AstroIntegration } from 'astro';
import { build, transform, type Plugin } from 'esbuild';

export const EMBED_ENTRY = fileURLToPath(new URL('../embed/element.tsx', import.meta.url));
export const EMBED_PATH = '/embed.js';

/**
 * `import css from './x.css?inline'` gives the file's minified text, for the
 * shadow root. A plain `import './x.css'` (the component's, for Astro's page
 * bundle) adds nothing: the element already has that text.
 */
const cssAsText: Plugin = {
  name: 'css-as-text',
  setup(esbuild) {
    esbuild.onResolve({ filter: /\.css\?inline$/ }, (args) => ({ path: resolve(args.resolveDir, args.path.replace(/\?inline$/, '')), namespace: 'css-text' }));
    esbuild.onLoad({ filter: /.*/, namespace: 'css-text' }, async (args) => {
      const css = await transform(await readFile(args.path, 'utf8'), { loader: 'css', minify: true });
      return { contents: css.code.trim(), loader: 'text' };
    });
    esbuild.onResolve({ filter: /\.css$/ }, (args) => ({ path: args.path, namespace: 'css-none' }));
    esbuild.onLoad({ filter: /.*/, namespace: 'css-none' }, () => ({ contents: '', loader: 'js' }));
  },
};

/** `import text from 'pkg/file.svg?raw'` gives the file's text, as Vite does: how src/lib/brand.ts takes Spotify's icon. */
const rawText: Plugin = {
  name: 'raw-text',
  setup(esbuild) {
    esbuild.onResolve({ filter: /\?raw$/ }, async (args) => {
      const found = await esbuild.resolve(args.path.replace(/\?raw$/, ''), { kind: args.kind, resolveDir: args.resolveDir });
      return found.errors.length ? { errors: found.errors } : { path: found.path, namespace: 'raw-text' };
    });
    esbuild.onLoad({ filter: /.*/, namespace: 'raw-text' }, async (args) => ({ contents: await readFile(args.path, 'utf8'), loader: 'text' }));
  },
};

/** The whole of /embed.js. */
export async function bundleEmbed(): Promise<string> {
  const result = await build({
    entryPoints: [EMBED_ENTRY],
    bundle: true,
    write: false,
    format: 'esm',
    minify: true,
    // Constructed stylesheets and private class fields: every browser since 2023.
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    plugins: [cssAsText, rawText],
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

export const gzippedBytes = (code: string) => gzipSync(code).length;

export function embedScript(): AstroIntegration {
  let clientDir: URL | undefined;
  return {
    name: 'listening-widget:embed',
    hooks: {
      'astro:config:done': ({ config }) => {
        clientDir = config.build.client;
      },
      'astro:server:setup': ({ server, logger }) => {
        server.middlewares.use((request, response, next) => {
          if (request.url?.split('?')[0] !== EMBED_PATH) return next();
          bundleEmbed().then(
            (code) => {
              response.setHeader('Content-Type', 'text/javascript; charset=utf-8');
              response.setHeader('Access-Control-Allow-Origin', '*');
              response.setHeader('Cache-Control', 'no-store');
              response.end(code);
            },
            (error: unknown) => {
              logger.error(`Bundling ${EMBED_PATH} failed: ${error instanceof Error ? error.message : String(error)}`);
              next(error);
            },
          );
        });
      },
      'astro:build:done': async ({ logger }) => {
        if (!clientDir) throw new Error('astro:config:done did not run: no output directory for /embed.js.');
        const code = await bundleEmbed();
        await writeFile(new URL(EMBED_PATH.slice(1), clientDir), code);
        logger.info(`${EMBED_PATH}: ${(gzippedBytes(code) / 1024).toFixed(2)} KB gzipped`);
      },
    },
  };
}
