/**
 * The function's bundle as Netlify's bundler (zip-it-and-ship-it, run by the
 * build inside `netlify serve`) wrote it: .netlify/functions/<name>.zip.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { extractZip, zipEntries, type ZipEntry } from './zip-entries';

export interface FunctionBundle {
  name: string;
  bundler: string;
  zipPath: string;
  zipBytes: number;
  /** The project's own code, bundled: the module Netlify's bootstrap imports. */
  ownCode: ZipEntry;
  entries: ZipEntry[];
}

interface Manifest {
  functions: { name: string; bundler?: string; path: string }[];
}

export function readFunctionBundle(projectDir: string, name: string): FunctionBundle {
  const manifestPath = join(projectDir, '.netlify', 'functions', 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const entry = manifest.functions.find((fn) => fn.name === name);
  if (!entry) throw new Error(`${manifestPath} lists no function "${name}": did the build bundle netlify/functions/${name}.mts?`);
  const entries = zipEntries(entry.path);
  const ownCode = entries.find((file) => file.kind === 'file' && !file.name.startsWith('___netlify') && /\.m?js$/.test(file.name));
  if (!ownCode) throw new Error(`${entry.path} holds no bundled module besides Netlify's bootstrap.`);
  return { name, bundler: entry.bundler ?? 'unknown', zipPath: entry.path, zipBytes: statSync(entry.path).size, ownCode, entries };
}

/** Unpacks the bundle under `directory` and returns the path of the function's own module. */
export function unpackFunction(bundle: FunctionBundle, directory: string): string {
  rmSync(directory, { recursive: true, force: true });
  extractZip(bundle.zipPath, directory);
  return join(directory, bundle.ownCode.name);
}
