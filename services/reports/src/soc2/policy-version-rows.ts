import type { RequestView } from '../read-model';

export interface PolicyVersionRow {
  policyVersion: string;
  firstSeen: string;
  lastSeen: string;
  decisions: number;
  /** rule=count, most used first. */
  rules: string;
}

/** CC6.1: the policy versions that decided the period's requests, first used first, with how often each rule decided. */
export function policyVersionRows(requests: readonly RequestView[]): PolicyVersionRow[] {
  const versions = new Map<string, { firstSeen: string; lastSeen: string; decisions: number; rules: Map<string, number> }>();
  for (const r of requests) {
    if (!r.decision) continue;
    let v = versions.get(r.decision.policyVersion);
    if (!v) versions.set(r.decision.policyVersion, (v = { firstSeen: r.time, lastSeen: r.time, decisions: 0, rules: new Map() }));
    v.decisions++;
    v.lastSeen = r.time;
    v.rules.set(r.decision.rule, (v.rules.get(r.decision.rule) ?? 0) + 1);
  }
  return [...versions.entries()]
    .map(([policyVersion, v]) => ({
      policyVersion,
      firstSeen: v.firstSeen,
      lastSeen: v.lastSeen,
      decisions: v.decisions,
      rules: [...v.rules.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([rule, n]) => `${rule}=${n}`).join(' '),
    }))
    .sort((a, b) => a.firstSeen.localeCompare(b.firstSeen));
}
