/** A burst: at least `threshold` events of one kind by one agent within `windowSeconds` (CC7.2). */
export interface BurstRule {
  threshold: number;
  windowSeconds: number;
}

export interface Burst {
  agent: string;
  kind: string;
  start: string;
  end: string;
  /** Events in the burst (every event of a run of overlapping qualifying windows). */
  count: number;
}

/**
 * Bursts of one kind for one agent. An event belongs to a burst when some window of `windowSeconds`
 * containing it holds `threshold` or more events; overlapping qualifying windows merge into one
 * burst. `times` are ISO strings; their order does not matter.
 */
export function findBursts(agent: string, kind: string, times: readonly string[], rule: BurstRule): Burst[] {
  if (times.length < rule.threshold) return [];
  const ms = times.map((t) => Date.parse(t)).sort((a, b) => a - b);
  const windowMs = rule.windowSeconds * 1000;
  const bursts: { first: number; last: number }[] = [];
  let j = 0;
  for (let i = 0; i < ms.length; i++) {
    while ((ms[i] as number) - (ms[j] as number) > windowMs) j++;
    if (i - j + 1 < rule.threshold) continue;
    const cur = bursts[bursts.length - 1];
    if (cur && j <= cur.last) cur.last = i;
    else bursts.push({ first: j, last: i });
  }
  return bursts.map((b) => ({
    agent,
    kind,
    start: new Date(ms[b.first] as number).toISOString(),
    end: new Date(ms[b.last] as number).toISOString(),
    count: b.last - b.first + 1,
  }));
}

/**
 * The bursts of a report: of denials, then of secret reads, each agent in name order. The rows are
 * in time order, so each agent's times are too.
 */
export function burstsOf(denials: readonly { agent: string; time: string }[], secretReads: readonly { agent: string; time: string }[], rule: BurstRule): Burst[] {
  const bursts: Burst[] = [];
  for (const [agent, times] of timesByAgent(denials)) bursts.push(...findBursts(agent, 'denials', times, rule));
  for (const [agent, times] of timesByAgent(secretReads)) bursts.push(...findBursts(agent, 'secret-reads', times, rule));
  return bursts;
}

function timesByAgent(rows: readonly { agent: string; time: string }[]): [string, string[]][] {
  const byAgent = new Map<string, string[]>();
  for (const { agent, time } of rows) {
    const list = byAgent.get(agent);
    if (list) list.push(time);
    else byAgent.set(agent, [time]);
  }
  return [...byAgent].sort((a, b) => a[0].localeCompare(b[0]));
}
