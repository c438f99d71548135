/**
 * Delays between attempts after failures: doubling from `initialMs` up to `maxMs`, with jitter so
 * that many sinks recovering at once do not retry in step. `random` is injected for tests.
 */
export function backoffDelay(failures: number, opts: { initialMs: number; maxMs: number; random?: () => number }): number {
  const exp = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.max(0, failures - 1));
  const r = (opts.random ?? Math.random)();
  return Math.round(exp / 2 + (exp / 2) * r);
}
