import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable, type Duplex } from 'node:stream';
import { createProxyServer, type ProxyServer } from 'http-proxy-3';
import type { RecordLevel } from '@chaperone/contracts';
import type { Upstream } from '../upstream/upstream';
import { BodyDigestTap } from './body-digest';
import { upstreamHeaders, type UpstreamIdentity } from './upstream-headers';

export interface ForwardResult {
  /** HTTP status the cluster answered (101 for a completed upgrade), 0 if none. */
  status: number;
  bytesOut: number;
  /** Digests of the bodies, as the policy asks to record; read them once the response has ended. */
  requestTap?: BodyDigestTap;
  responseTap?: BodyDigestTap;
}

/** Takes over the cluster's response (masking); must account every byte it sends. */
export type ResponseHandler = (proxyRes: IncomingMessage, account: (sent: Buffer) => void) => void;

interface InFlight {
  result: ForwardResult;
  onResponse: ResponseHandler | undefined;
}

/**
 * Forwarding to the cluster with http-proxy-3. Responses are piped as they arrive (watch and
 * `logs -f` stream), redirects are passed back, never followed, and an upgraded connection is
 * spliced only once the cluster has answered 101 (http-proxy-3 splices in the client request's
 * `upgrade` event, which Node emits for a 101 only; any other answer is relayed and the socket closed).
 */
export class Forwarder {
  private readonly proxy: ProxyServer;
  private readonly inFlight = new WeakMap<IncomingMessage, InFlight>();

  constructor(private readonly upstream: Upstream) {
    this.proxy = createProxyServer({
      target: upstream.target.origin,
      agent: upstream.agent,
      changeOrigin: true,
      xfwd: false,
      followRedirects: false,
      ws: true,
    });
    this.proxy.on('proxyRes', (proxyRes, req) => {
      const flight = this.inFlight.get(req);
      if (!flight) return;
      const { result, onResponse } = flight;
      const responseTap = result.responseTap;
      result.status = proxyRes.statusCode ?? 0;
      if (onResponse) {
        // What the agent receives is what is counted and digested: the masked body.
        onResponse(proxyRes, (sent) => {
          result.bytesOut += sent.length;
          responseTap?.update(sent);
        });
        return;
      }
      proxyRes.on('data', (chunk: Buffer) => {
        result.bytesOut += chunk.length;
        responseTap?.update(chunk);
      });
    });
    this.proxy.on('proxyReqWs', (proxyReq, req) => {
      const result = this.inFlight.get(req)?.result;
      if (!result) return;
      proxyReq.on('upgrade', () => (result.status = 101));
      proxyReq.on('response', (res) => (result.status = res.statusCode ?? 0));
    });
    // Errors are handled per call; this keeps an unexpected one from crashing the process.
    this.proxy.on('error', () => undefined);
  }

  web(
    req: IncomingMessage,
    res: ServerResponse,
    id: Omit<UpstreamIdentity, 'authorization' | 'upgrade'>,
    record: RecordLevel,
    onError: (e: Error) => void,
    onResponse?: ResponseHandler,
    /** The body, when it was already read (a request held for approval): these exact bytes are sent. */
    body?: Buffer,
  ): ForwardResult {
    const result: ForwardResult = { status: 0, bytesOut: 0 };
    if (record === 'request-and-response') result.responseTap = new BodyDigestTap();
    if (record !== 'none') {
      const tap = new BodyDigestTap();
      result.requestTap = tap;
      if (body) tap.update(body);
      // Attached in the same tick as the proxy's pipe, so no chunk flows before both listen.
      else req.on('data', (chunk: Buffer) => tap.update(chunk));
    }
    this.inFlight.set(req, { result, onResponse });
    req.headers = upstreamHeaders(req.headers, { ...id, authorization: this.upstream.authorization(), upgrade: false }) as IncomingMessage['headers'];
    const options = { ...(onResponse ? { selfHandleResponse: true } : {}), ...(body ? { buffer: Readable.from([body]) } : {}) };
    this.proxy.web(req, res, options, (e: Error) => onError(e));
    return result;
  }

  ws(req: IncomingMessage, socket: Duplex, head: Buffer, id: Omit<UpstreamIdentity, 'authorization' | 'upgrade'>, onError: (e: Error) => void): ForwardResult {
    const result: ForwardResult = { status: 0, bytesOut: 0 };
    this.inFlight.set(req, { result, onResponse: undefined });
    req.headers = upstreamHeaders(req.headers, { ...id, authorization: this.upstream.authorization(), upgrade: true }) as IncomingMessage['headers'];
    this.proxy.ws(req, socket, head, {}, (e: Error) => onError(e));
    return result;
  }

  close(): void {
    this.proxy.close();
  }
}
