import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Readable, type Duplex } from 'node:stream';
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

export interface UpgradeForward {
  headers: OutgoingHttpHeaders;
  /** The cluster's answer to the upgrade: 101 once spliced, anything else relayed and closed. */
  onStatus: (status: number) => void;
  onError: (e: Error) => void;
}

/**
 * Forwarding to the cluster with http-proxy-3. The caller always handles the response itself (so
 * it can mask it, and store the completion before the last byte). Redirects are passed back,
 * never followed, and an upgraded connection is spliced only once the cluster has answered 101
 * (http-proxy-3 splices in the client request's `upgrade` event, which Node emits for a 101 only;
 * any other answer is relayed and the socket closed).
 */
export class Forwarder {
  private readonly proxy: ProxyServer;
  private readonly onResponse = new WeakMap<IncomingMessage, (proxyRes: IncomingMessage) => void>();
  private readonly onStatus = new WeakMap<IncomingMessage, (status: number) => void>();

  constructor(private readonly upstream: Upstream) {
    this.proxy = createProxyServer({
      target: upstream.target.origin,
      agent: upstream.agent,
      changeOrigin: true,
      xfwd: false,
      followRedirects: false,
      ws: true,
    });
    this.proxy.on('proxyRes', (proxyRes, req) => this.onResponse.get(req)?.(proxyRes));
    this.proxy.on('proxyReqWs', (proxyReq, req) => {
      const report = this.onStatus.get(req);
      if (!report) return;
      proxyReq.on('upgrade', () => report(101));
      proxyReq.on('response', (res) => report(res.statusCode ?? 0));
    });
    // Errors are handled per call; this keeps an unexpected one from crashing the process.
    this.proxy.on('error', () => undefined);
  }

  /** The gateway's own credential for the cluster (read fresh: token files rotate). */
  authorization(): string | undefined {
    return this.upstream.authorization();
  }

  web(req: IncomingMessage, res: ServerResponse, forward: WebForward): void {
    this.onResponse.set(req, forward.onResponse);
    req.headers = forward.headers as IncomingMessage['headers'];
    const options = { selfHandleResponse: true, ...(forward.body ? { buffer: Readable.from([forward.body]) } : {}) };
    this.proxy.web(req, res, options, (e: Error) => forward.onError(e));
  }

  ws(req: IncomingMessage, socket: Duplex, head: Buffer, forward: UpgradeForward): void {
    this.onStatus.set(req, forward.onStatus);
    req.headers = forward.headers as IncomingMessage['headers'];
    this.proxy.ws(req, socket, head, {}, (e: Error) => forward.onError(e));
  }

  close(): void {
    this.proxy.close();
  }
}
