/** The machine a bench ran on, for the README's results table. */
import { cpus, totalmem } from 'node:os';

export function describeMachine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const memoryGiB = (totalmem() / 1024 ** 3).toFixed(1);
  return `${cpus().length} cores (${cpu}), ${memoryGiB} GiB RAM, Node ${process.version}, ${process.platform}`;
}
