import type { AgentLimits } from '@chaperone/contracts';

/** Why an agent's request is over its limits, and when to try again; undefined when it may run. */
export type LimitVerdict = { limit: 'requestsPerSecond' | 'maxInFlight' | 'maxHeldApprovals'; message: string; retryAfterSeconds: number } | undefined;

interface AgentState {
  tokens: number;
  refilledAt: number;
  inFlight: number;
  held: number;
  lastSeen: number;
}

/** Agents not seen for this long are forgotten (their bucket would be full again anyway). */
const IDLE_MS = 10 * 60_000;

/** How a request counts against its agent's limits. */
export interface AdmitOptions {
  /** Held for a human's approval: it counts against `maxHeldApprovals` too. */
  held: boolean;
}

/**
 * Per-agent admission, in the spirit of API Priority and Fairness: a token bucket for the request
 * rate, and counts of requests in flight and held for approval. Pure bookkeeping with an injected
 * clock; one instance per ingress replica.
 */
export class AgentLimiter {
  private readonly agents = new Map<string, AgentState>();
  private sweptAt = 0;

  constructor(private readonly now: () => number = () => Date.now()) {}

  /**
   * Admit one request of `agent` under `limits`, or say why not. An admitted request holds a slot
   * until `release` is called with the same arguments.
   */
  admit(agent: string, limits: AgentLimits, { held }: AdmitOptions): LimitVerdict {
    const now = this.now();
    this.sweep(now);
    const s = this.stateOf(agent, limits, now);
    if (limits.maxInFlight !== undefined && s.inFlight >= limits.maxInFlight) {
      return { limit: 'maxInFlight', message: `agent "${agent}" has ${s.inFlight} requests in flight, its limit`, retryAfterSeconds: 1 };
    }
    if (held && limits.maxHeldApprovals !== undefined && s.held >= limits.maxHeldApprovals) {
      return { limit: 'maxHeldApprovals', message: `agent "${agent}" has ${s.held} requests waiting for approval, its limit`, retryAfterSeconds: 10 };
    }
    if (limits.requestsPerSecond !== undefined) {
      const rate = limits.requestsPerSecond;
      const burst = limits.burst ?? Math.max(1, Math.ceil(rate));
      s.tokens = Math.min(burst, s.tokens + ((now - s.refilledAt) / 1000) * rate);
      s.refilledAt = now;
      if (s.tokens < 1) {
        return { limit: 'requestsPerSecond', message: `agent "${agent}" is over its limit of ${rate} requests per second`, retryAfterSeconds: Math.max(1, Math.ceil((1 - s.tokens) / rate)) };
      }
      s.tokens -= 1;
    }
    s.inFlight++;
    if (held) s.held++;
    return undefined;
  }

  release(agent: string, { held }: AdmitOptions): void {
    const s = this.agents.get(agent);
    if (!s) return;
    s.inFlight = Math.max(0, s.inFlight - 1);
    if (held) s.held = Math.max(0, s.held - 1);
    s.lastSeen = this.now();
  }

  private stateOf(agent: string, limits: AgentLimits, now: number): AgentState {
    let s = this.agents.get(agent);
    if (!s) {
      const rate = limits.requestsPerSecond ?? 0;
      s = { tokens: limits.burst ?? Math.max(1, Math.ceil(rate)), refilledAt: now, inFlight: 0, held: 0, lastSeen: now };
      this.agents.set(agent, s);
    }
    s.lastSeen = now;
    return s;
  }

  private sweep(now: number): void {
    if (now - this.sweptAt < IDLE_MS) return;
    this.sweptAt = now;
    for (const [agent, s] of this.agents) if (s.inFlight === 0 && now - s.lastSeen > IDLE_MS) this.agents.delete(agent);
  }
}
