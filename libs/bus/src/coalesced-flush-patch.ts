import { ProtocolHandler } from 'nats/lib/nats-base-client/protocol';

/**
 * nats.js writes its outbound buffer to the socket at the end of the current microtask checkpoint,
 * so every callback that publishes (one HTTP request reaching the ingress, one answered JetStream
 * publish in the audit service) costs its own socket write, and the server its own read. Deferred to
 * `setImmediate`, the flush runs once the event loop has handled every socket that was ready: what
 * all of them published leaves in one write. The buffer and its order are the library's; a buffer
 * over its pending limit is still written at once, flush()/drain() are unchanged, and close() writes
 * what is still buffered first (a reply sent just before a service closes its connection leaves).
 */
interface Outbound {
  outbound: { length(): number; size(): number; fill(buf: Uint8Array, ...payloads: Uint8Array[]): void };
  pendingLimit: number;
  flushPending(): void;
}

type Close = (this: Outbound, err?: Error) => Promise<void>;

const PATCHED = Symbol.for('chaperone.nats.coalescedFlush');
const encoder = new TextEncoder();
const proto = ProtocolHandler.prototype as unknown as Record<PropertyKey, unknown> & {
  sendCommand: (cmd: string | Uint8Array, ...payloads: Uint8Array[]) => void;
  _close: Close;
};

if (!proto[PATCHED] && typeof proto.sendCommand === 'function' && typeof proto._close === 'function') {
  proto[PATCHED] = true;
  proto.sendCommand = function sendCommand(this: Outbound, cmd: string | Uint8Array, ...payloads: Uint8Array[]): void {
    const len = this.outbound.length();
    this.outbound.fill(typeof cmd === 'string' ? encoder.encode(cmd) : cmd, ...payloads);
    if (len === 0) setImmediate(() => this.flushPending());
    else if (this.outbound.size() >= this.pendingLimit) this.flushPending();
  };
  const close = proto._close;
  proto._close = function closeAfterFlush(this: Outbound, err?: Error): Promise<void> {
    this.flushPending();
    return close.call(this, err);
  };
}

/** Whether this process's nats.js coalesces its writes (tests). */
export const coalescedFlushPatched = (): boolean => proto[PATCHED] === true;
