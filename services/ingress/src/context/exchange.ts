import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { statusAsRawResponse, writeStatus, type KubeStatus } from '@chaperone/k8s-status';

/**
 * What the agent opened: an ordinary HTTP request with its response, or an upgrade (exec, attach,
 * port-forward) that owns a bare socket. The same handler chain runs for both; stages that must
 * act differently switch on `kind`.
 */
export type Exchange =
  | { readonly kind: 'http'; readonly req: IncomingMessage; readonly res: ServerResponse }
  | { readonly kind: 'upgrade'; readonly req: IncomingMessage; readonly socket: Duplex; readonly head: Buffer };

/** Answer with a Status: a normal response, or a raw HTTP response written to the upgrade's socket. */
export function respondWithStatus(exchange: Exchange, status: KubeStatus, headers: Record<string, string>): void {
  switch (exchange.kind) {
    case 'http':
      writeStatus(exchange.res, status, headers);
      return;
    case 'upgrade':
      if (!exchange.socket.destroyed) exchange.socket.end(statusAsRawResponse(status, headers));
      return;
    default: {
      const unhandled: never = exchange;
      throw new Error(`unhandled exchange ${JSON.stringify(unhandled)}`);
    }
  }
}

/** True once the agent's side is gone: nobody is left to answer. */
export function clientGone(exchange: Exchange): boolean {
  // A request whose body was read ends (autoDestroy), so its socket is what tells.
  return exchange.kind === 'http' ? exchange.req.socket.destroyed || exchange.res.destroyed : exchange.socket.destroyed;
}

/** The connection whose `close` means the agent left. */
export function clientConnection(exchange: Exchange): { on(e: 'close', f: () => void): unknown; off(e: 'close', f: () => void): unknown } {
  return exchange.kind === 'http' ? exchange.res : exchange.socket;
}
