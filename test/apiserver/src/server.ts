import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo, Socket } from 'node:net';
import { RequestContext, StreamRegistry } from './context';
import { handleDiscovery } from './discovery';
import { handleResource } from './handlers/crud';
import { mediaTypeOf, readBody, sendError, sendStatus } from './http';
import { parseResourcePath } from './router';
import { add, seed } from './seed';
import { ApiError, pathNotFound, unauthorized } from './status';
import { Store } from './store';
import { createUpgradeHandler } from './streaming/upgrade';
import { startControllers } from './controllers';
import { KubeObject, RecordedRequest } from './types';

export interface TestApiServerOptions {
  /** 0 (default) = an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** PEM certificate and key: serve HTTPS when given. */
  tls?: { cert: string; key: string };
  /** When set, every request must carry `Authorization: Bearer <token>`, else a 401 Status. */
  bearerToken?: string;
  /** Default true: namespaces default + kube-system, a few pods, a secret, configmaps, a service, a deployment. */
  seed?: boolean;
  /** Interval between lines of a followed pod log and of an attached main process (default 200 ms). */
  logFollowIntervalMs?: number;
}

export interface TestApiServer {
  /** e.g. http://127.0.0.1:PORT */
  url: string;
  /** Everything received, in order. */
  requests: RecordedRequest[];
  clearRequests(): void;
  /** Put objects straight into the store (large fixtures for tests and benchmarks), as a controller would. */
  addObjects(resource: string, group: string, objects: KubeObject[]): void;
  close(): Promise<void>;
}

const isProtobuf = (ct: string | undefined) => mediaTypeOf(ct) === 'application/vnd.kubernetes.protobuf';

/**
 * Starts the Kubernetes API server test double. Recorded request bodies are UTF-8 text, except
 * protobuf bodies, which are recorded as latin1 strings (Buffer.from(body, 'latin1') gives the bytes).
 */
export async function startTestApiServer(opts: TestApiServerOptions = {}): Promise<TestApiServer> {
  const store = new Store();
  if (opts.seed !== false) seed(store);
  const stopControllers = startControllers(store);
  const requests: RecordedRequest[] = [];
  const streams: StreamRegistry = new Set();
  const sockets = new Set<Socket>();
  const followIntervalMs = opts.logFollowIntervalMs ?? 200;
  const host = opts.host ?? '127.0.0.1';
  let serverAddress = '';

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    void (async () => {
      const rawBody = await readBody(req);
      const body = rawBody.toString(isProtobuf(req.headers['content-type']) ? 'latin1' : 'utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers }, body, time: Date.now() });
      try {
        if (opts.bearerToken !== undefined && req.headers.authorization !== `Bearer ${opts.bearerToken}`) {
          sendStatus(res, unauthorized());
          return;
        }
        const ctx: RequestContext = { req, res, url: new URL(req.url ?? '/', 'http://localhost'), body, rawBody, store, streams };
        if (handleDiscovery(ctx, serverAddress)) return;
        const parsed = parseResourcePath(ctx.url.pathname);
        if (parsed.kind !== 'resource') throw new ApiError(pathNotFound());
        handleResource(ctx, parsed.path, { followIntervalMs });
      } catch (err) {
        sendError(res, err);
      }
    })().catch((err: unknown) => sendError(res, err));
  };

  const server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, onRequest) : http.createServer(onRequest);
  // pods/exec, pods/attach and pods/portforward: WebSocket upgrades to a fake container runtime.
  server.on('upgrade', createUpgradeHandler({ store, streams, requests, followIntervalMs, ...(opts.bearerToken !== undefined ? { bearerToken: opts.bearerToken } : {}) }));
  server.on(opts.tls ? 'secureConnection' : 'connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  serverAddress = `${urlHost}:${port}`;

  return {
    url: `${opts.tls ? 'https' : 'http'}://${urlHost}:${port}`,
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    addObjects: (resource, group, objects) => {
      for (const obj of objects) add(store, resource, group, obj, 0);
    },
    close: () =>
      new Promise<void>((resolve) => {
        stopControllers();
        for (const stop of [...streams]) stop();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
