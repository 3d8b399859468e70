/**
 * Reads a zip's central directory (and extracts it), so the bench can report
 * and run what Netlify's bundler put in the function's zip without an unzip tool.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  compressedBytes: number;
  bytes: number;
  kind: 'file' | 'directory' | 'symlink';
  method: number;
  localHeaderOffset: number;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;

export function zipEntries(path: string): ZipEntry[] {
  return readEntries(readFileSync(path), path);
}

function readEntries(zip: Buffer, path: string): ZipEntry[] {
  // The end record is the last 22 bytes plus an optional comment of up to 64 KiB.
  let end = -1;
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at -= 1) {
    if (zip.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new Error(`${path} is not a zip file (no end of central directory).`);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let index = 0; index < count; index += 1) {
    if (zip.readUInt32LE(at) !== CENTRAL_DIRECTORY_ENTRY) throw new Error(`${path}: corrupt central directory.`);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    // Unix mode lives in the high half of the external attributes.
    const mode = (zip.readUInt32LE(at + 38) >>> 16) & 0o170000;
    entries.push({
      name,
      compressedBytes: zip.readUInt32LE(at + 20),
      bytes: zip.readUInt32LE(at + 24),
      kind: mode === 0o120000 ? 'symlink' : mode === 0o040000 || name.endsWith('/') ? 'directory' : 'file',
      method: zip.readUInt16LE(at + 10),
      localHeaderOffset: zip.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Writes the zip's regular files under `directory` (symlinks are skipped). */
export function extractZip(path: string, directory: string): void {
  const zip = readFileSync(path);
  for (const entry of readEntries(zip, path)) {
    const target = join(directory, entry.name);
    if (entry.kind === 'directory') mkdirSync(target, { recursive: true });
    if (entry.kind !== 'file') continue;
    const header = entry.localHeaderOffset;
    if (zip.readUInt32LE(header) !== LOCAL_FILE_HEADER) throw new Error(`${path}: corrupt entry ${entry.name}.`);
    const start = header + 30 + zip.readUInt16LE(header + 26) + zip.readUInt16LE(header + 28);
    const data = zip.subarray(start, start + entry.compressedBytes);
    if (entry.method !== STORED && entry.method !== DEFLATED) throw new Error(`${path}: ${entry.name} uses compression ${entry.method}.`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, entry.method === DEFLATED ? inflateRawSync(data) : data);
  }
}
