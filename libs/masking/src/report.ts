import type { MaskRule } from './profile';

/** What was masked: counts and locations, NEVER values. */
export interface MaskReport {
  /** Total number of hits (sum of `detectors`). */
  count: number;
  /** Where: JSON paths like `items[3].data.password`, or `text:line 12`. Distinct, in order, capped. */
  paths: string[];
  /** Rule or detector name -> hits. */
  detectors: Record<string, number>;
}

/** At most this many distinct paths are listed; `count` and `detectors` stay exact beyond it. */
export const MAX_REPORT_PATHS = 1000;

export function emptyReport(): MaskReport {
  return { count: 0, paths: [], detectors: {} };
}

export function mergeReports(...reports: MaskReport[]): MaskReport {
  const r = new ReportBuilder();
  for (const rep of reports) {
    for (const [k, n] of Object.entries(rep.detectors)) r.add(k, n);
    for (const p of rep.paths) r.path(p);
  }
  return r.snapshot();
}

export class ReportBuilder {
  private count = 0;
  private readonly paths = new Set<string>();
  private readonly detectors = new Map<string, number>();

  hit(rule: MaskRule, path: string): void {
    this.add(rule, 1);
    this.path(path);
  }

  add(rule: string, n: number): void {
    this.count += n;
    this.detectors.set(rule, (this.detectors.get(rule) ?? 0) + n);
  }

  path(path: string): void {
    if (this.paths.size < MAX_REPORT_PATHS) this.paths.add(path);
  }

  get total(): number {
    return this.count;
  }

  snapshot(): MaskReport {
    return { count: this.count, paths: [...this.paths], detectors: Object.fromEntries(this.detectors) };
  }
}
