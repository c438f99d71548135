import type { GatewayError } from '../errors/gateway-errors';

/** Long enough for kubectl's immediate SPDY retry, short enough that a new attempt asks again. */
const REMEMBER_MS = 30_000;
const MAX_ENTRIES = 1000;

/**
 * When a held WebSocket upgrade (kubectl exec) is refused, kubectl retries it at once over SPDY,
 * and prints only that second answer. Remembering the refusal by request fingerprint for a few
 * seconds lets the SPDY retry say why (denied by whom, expired) instead of a protocol error. In
 * memory, per ingress replica: a retry landing on another replica gets the generic explanation.
 */
export class RecentRefusals {
  private readonly entries = new Map<string, { error: GatewayError; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  remember(fingerprint: string, error: GatewayError): void {
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(fingerprint, { error, until: this.now() + REMEMBER_MS });
  }

  recall(fingerprint: string): GatewayError | undefined {
    const entry = this.entries.get(fingerprint);
    if (!entry) return undefined;
    if (entry.until < this.now()) {
      this.entries.delete(fingerprint);
      return undefined;
    }
    return entry.error;
  }
}
