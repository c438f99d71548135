import { RequestOne } from 'nats/lib/nats-base-client/request';

/**
 * nats.js (2.29) ends every answered request with `cancel()`, which builds a `Cancelled` NatsError
 * (an Error: a stack capture) only to reject a promise that is already resolved. Every request and
 * every JetStream publish pays for it: 3 to 4 % of the CPU of the ingress, the policy and the audit
 * service in their profiles. Patched once per process: an answered request is taken off the mux and
 * its timer stopped, as before, without the unused error. Timeouts, cancellations and error replies
 * take the library's own path unchanged.
 */
interface AnsweredRequest {
  timer?: { cancel(): void };
  ctx?: Error;
  deferred: { resolve(msg: unknown): void; reject(err: unknown): void };
  mux: { cancel(request: unknown): void };
}

const PATCHED = Symbol.for('chaperone.nats.settledRequest');
const proto = RequestOne.prototype as unknown as Record<PropertyKey, unknown> & { resolver: (err: Error | null, msg: unknown) => void };

if (!proto[PATCHED] && typeof proto.resolver === 'function') {
  proto[PATCHED] = true;
  proto.resolver = function resolver(this: AnsweredRequest, err: Error | null, msg: unknown): void {
    this.timer?.cancel();
    if (err) {
      if (this.ctx) err.stack += `\n\n${this.ctx.stack}`;
      this.deferred.reject(err);
    } else {
      this.deferred.resolve(msg);
    }
    this.mux.cancel(this);
  };
}

/** Whether this process's nats.js has the patch (tests). */
export const settledRequestPatched = (): boolean => proto[PATCHED] === true;
