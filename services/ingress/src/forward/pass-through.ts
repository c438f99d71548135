import type { IncomingMessage, ServerResponse } from 'node:http';

/** Headers about the cluster connection's own framing; Node frames the agent's response itself. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authenticate']);

/** Copy the cluster's status and headers (minus `drop` and hop-by-hop ones), plus `extra`. */
export function copyHead(proxyRes: IncomingMessage, res: ServerResponse, drop: ReadonlySet<string>, extra: Record<string, string | number> = {}): void {
  for (const [k, v] of Object.entries(proxyRes.headers)) {
    const name = k.toLowerCase();
    if (v !== undefined && !HOP_BY_HOP.has(name) && !drop.has(name)) res.setHeader(k, v);
  }
  for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
  res.writeHead(proxyRes.statusCode ?? 502);
}

/**
 * How much of a bounded response may wait in the agent's socket before the cluster's side is
 * paused. Node's own mark (16 KiB) would pause and resume the cluster's stream at nearly every
 * chunk of a large list; this keeps the bytes flowing while memory per response stays bounded.
 */
const RELAY_BUFFER_BYTES = 1024 * 1024;

/** Resolves when `res` can take more, or has closed (then the caller stops). */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

export interface Delivery {
  /** Counts (and digests) every byte the agent is sent. */
  account(sent: Buffer): void;
  /** Runs before the last byte is released: the completion is stored there. */
  beforeLast(): Promise<void>;
  /** A stream (watch, `logs -f`): bytes go out as they come, the completion follows the close. */
  streaming: boolean;
}

/**
 * Pass the cluster's response through unchanged. A bounded response keeps its last chunk back until
 * `beforeLast` has stored the completion record, so no agent holds a whole answer whose completion
 * is not evidence; a stream is relayed chunk by chunk. Resolves true when the response was sent to
 * its end, false when the agent left first.
 */
export async function passThrough(proxyRes: IncomingMessage, res: ServerResponse, delivery: Delivery): Promise<boolean> {
  copyHead(proxyRes, res, new Set());
  if (delivery.streaming) res.flushHeaders();
  let held: Buffer | undefined;
  for await (const chunk of proxyRes) {
    if (res.destroyed) {
      proxyRes.destroy();
      return false;
    }
    if (delivery.streaming) {
      delivery.account(chunk as Buffer);
      if (!res.write(chunk)) await drained(res);
      continue;
    }
    if (held) {
      delivery.account(held);
      if (!res.write(held) && res.writableLength > RELAY_BUFFER_BYTES) await drained(res);
    }
    held = chunk as Buffer;
  }
  if (res.destroyed) return false;
  if (held) delivery.account(held);
  if (!delivery.streaming) await delivery.beforeLast();
  res.end(held);
  return true;
}
