/**
 * Memory of a server and everything it started (netlify serve runs the
 * function in workers and child processes), read from /proc. Linux only:
 * elsewhere the figures are reported as unavailable rather than guessed.
 */
import { readFileSync, readdirSync } from 'node:fs';

export function processTree(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of safeReaddir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = safeRead(`/proc/${pid}/stat`);
    // The command name (field 2) may hold spaces and parentheses: parse after the last ')'.
    const ppid = stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : NaN;
    if (!Number.isInteger(ppid)) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const tree: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Resident memory of the whole tree in bytes, or null where /proc is unavailable. */
export function treeRssBytes(rootPid: number): number | null {
  let total = 0;
  let seen = false;
  for (const pid of processTree(rootPid)) {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(safeRead(`/proc/${pid}/status`) ?? '');
    if (!match) continue;
    seen = true;
    total += Number(match[1]) * 1024;
  }
  return seen ? total : null;
}

function safeReaddir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

function safeRead(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
