import * as http from 'node:http';
import * as https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { CallCancelled, ChaperoneUnavailable } from '../errors';
import { runExec, type ExecAnswer, type ExecCall, type ExecOptions } from './exec-client';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One Kubernetes API call as the ingress receives it. */
export interface KubeCall {
  method: HttpMethod;
  /** An absolute API path, already escaped (see kube/paths.ts). */
  path: string;
  /** In the order given: the same arguments always give the same bytes, so a retried call is identical. */
  query?: ReadonlyArray<readonly [string, string]>;
  body?: string;
  contentType?: string;
  accept?: string;
  /** Extra request headers (Chaperone's approval headers). */
  headers?: Record<string, string>;
}

export interface KubeAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Milliseconds before the call is abandoned (the connection is closed, so a held request is withdrawn). */
  timeoutMs: number;
}


/** Responses larger than this are not read: the tool asks for a narrower request instead. */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** "a=1&b=x%20y": the query in the order given, each part escaped the same way every time. */
export function queryString(query: KubeCall['query']): string {
  return (query ?? []).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/**
 * The only way out of this service: HTTP(S) to the ingress, with the caller's own bearer token.
 * There is no credential here: what the caller may do is what Chaperone's policy lets that token
 * do, and every call is intercepted, decided, masked and recorded by the ingress like kubectl's.
 */
export class IngressClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly caPem: string | undefined;

  constructor(ingressUrl: string, opts: { caPem?: string } = {}) {
    this.base = new URL(ingressUrl);
    this.caPem = opts.caPem;
    this.agent =
      this.base.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, ...(opts.caPem ? { ca: opts.caPem } : {}) })
        : new http.Agent({ keepAlive: true });
  }

  call(token: string, req: KubeCall, opts: CallOptions): Promise<KubeAnswer> {
    const url = this.urlOf(req.path, req.query);
    const headers: Record<string, string> = {
      ...req.headers,
      authorization: `Bearer ${token}`,
      accept: req.accept ?? 'application/json',
      'user-agent': 'chaperone-mcp/0.1.0',
    };
    if (req.body !== undefined) {
      headers['content-type'] = req.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(req.body));
    }
    const send = url.protocol === 'https:' ? https.request : http.request;
    return new Promise<KubeAnswer>((resolve, reject) => {
      if (opts.signal?.aborted) return reject(new CallCancelled('the tool call was cancelled'));
      // Why we gave up, when we did: the socket's own error that follows says less.
      let stopped: Error | undefined;
      const stop = (why: Error) => {
        stopped ??= why;
        r.destroy(why);
      };
      const r = send(url, { method: req.method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) {
            stop(new ChaperoneUnavailable(`the response is larger than ${MAX_RESPONSE_BYTES} bytes; narrow the request`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          cleanup();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', fail);
      });
      const onAbort = () => stop(new CallCancelled('the tool call was cancelled'));
      const timer = setTimeout(() => stop(new ChaperoneUnavailable(`no answer from the ingress within ${opts.timeoutMs} ms`)), opts.timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      function fail(e: Error): void {
        cleanup();
        if (stopped) reject(stopped);
        // Node's messages name the host and the error code, never the headers sent.
        else reject(new ChaperoneUnavailable(`cannot reach the ingress at ${url.origin}: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
      }
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      r.on('error', fail);
      r.end(req.body);
    });
  }

  /** An exec, as kubectl sends it: a WebSocket upgrade of the same path, on the same door. */
  exec(token: string, call: ExecCall, opts: ExecOptions): Promise<ExecAnswer> {
    const url = this.urlOf(call.path, call.query);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return runExec(url, token, call, opts, { ...(this.caPem ? { caPem: this.caPem } : {}) });
  }

  private urlOf(path: string, query: KubeCall['query']): URL {
    const url = new URL(this.base.href);
    url.pathname = `${this.base.pathname.replace(/\/$/, '')}${path}`;
    url.search = queryString(query);
    return url;
  }

  close(): void {
    this.agent.destroy();
  }
}
