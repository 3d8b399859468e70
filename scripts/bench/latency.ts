/**
 * How much of one call's time is owed to Spotify: the median time with every
 * upstream answer delayed by L, minus the median with no delay. Local servers
 * add a fixed (and noisy) cost per call, which the subtraction removes; runs
 * at 0 and at L alternate so that drift on a busy machine hits both alike.
 */
export interface OwedLatency {
  medianAtZeroMs: number;
  medianAtDelayMs: number;
  /** medianAtDelay − medianAtZero. */
  owedMs: number;
  samples: number;
}

export async function measureOwedLatency(options: {
  call: () => Promise<void>;
  setDelay: (ms: number) => Promise<void>;
  delayMs: number;
  samples: number;
  warmup?: number;
}): Promise<OwedLatency> {
  await options.setDelay(0);
  for (let index = 0; index < (options.warmup ?? 2); index += 1) await options.call();

  const atZero: number[] = [];
  const atDelay: number[] = [];
  for (let index = 0; index < options.samples; index += 1) {
    await options.setDelay(0);
    atZero.push(await timed(options.call));
    await options.setDelay(options.delayMs);
    atDelay.push(await timed(options.call));
  }
  await options.setDelay(0);
  const medianAtZeroMs = median(atZero);
  const medianAtDelayMs = median(atDelay);
  return { medianAtZeroMs, medianAtDelayMs, owedMs: medianAtDelayMs - medianAtZeroMs, samples: options.samples };
}

async function timed(call: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await call();
  return performance.now() - started;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The nearest-rank percentile `p` (0–100) of `values`; NaN for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
