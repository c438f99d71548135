import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { createProxyServer, type ProxyServer } from 'http-proxy-3';
import type { Upstream } from '../upstream/upstream';

export interface WebForward {
  /** Sent to the cluster instead of the client's headers. */
  headers: OutgoingHttpHeaders;
  /** The body, when it was already read (a held request): exactly these bytes are sent. */
  body: Buffer | undefined;
  /** The cluster answered: the caller writes the response (masked or passed through). */
  onResponse: (proxyRes: IncomingMessage) => void;
  onError: (e: Error) => void;
}

/**
 * Where the cluster's answer to a request goes: kept on the request itself, and taken once. Not in
 * a WeakMap of the forwarder's: a young-generation collection takes every value of a long-lived
 * WeakMap as live, and this value leads back to its key (the callback closes over the request's
 * context), so each request's objects outlived it until a full collection: copied by one young
 * collection, promoted by the next, and young collections took several times as long.
 */
const ON_RESPONSE = Symbol('chaperone.forward.onResponse');

type Routed = IncomingMessage & { [ON_RESPONSE]?: ((proxyRes: IncomingMessage) => void) | undefined };

/**
 * Forwarding to the cluster with http-proxy-3. The caller always handles the response itself (so
 * it can mask it, and store the completion before the last byte). Redirects are passed back,
 * never followed. Upgrades (exec, attach, port-forward) are not spliced here: the streaming
 * sessions relay them message by message (../sessions).
 */
export class Forwarder {
  private readonly proxy: ProxyServer;

  constructor(private readonly upstream: Upstream) {
    this.proxy = createProxyServer({
      target: upstream.target.origin,
      agent: upstream.agent,
      changeOrigin: true,
      xfwd: false,
      followRedirects: false,
    });
    this.proxy.on('proxyRes', (proxyRes, req) => {
      const routed = req as Routed;
      const onResponse = routed[ON_RESPONSE];
      routed[ON_RESPONSE] = undefined;
      onResponse?.(proxyRes);
    });
    // Errors are handled per call; this keeps an unexpected one from crashing the process.
    this.proxy.on('error', () => undefined);
  }

  /** The gateway's own credential for the cluster (read fresh: token files rotate). */
  authorization(): string | undefined {
    return this.upstream.authorization();
  }

  web(req: IncomingMessage, res: ServerResponse, forward: WebForward): void {
    (req as Routed)[ON_RESPONSE] = forward.onResponse;
    req.headers = forward.headers as IncomingMessage['headers'];
    const options = { selfHandleResponse: true, ...(forward.body ? { buffer: Readable.from([forward.body]) } : {}) };
    this.proxy.web(req, res, options, (e: Error) => forward.onError(e));
  }

  close(): void {
    this.proxy.close();
  }
}
