import { IncomingMessage } from 'node:http';
import { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { StreamRegistry } from '../context';
import { serveChannelPortForward } from '../portforward/channel-forward';
import { parsePortsQuery } from '../portforward/ports';
import { serveSpdyPortForward } from '../portforward/spdy-forward';
import { parseResourcePath, ResourcePath } from '../router';
import { ApiError, badRequest, failure, methodNotAllowed, pathNotFound, unauthorized } from '../status';
import { Store } from '../store';
import { RecordedRequest } from '../types';
import { ChannelConnection } from './channel-connection';
import { findPod, parseRemoteCommandOptions } from './exec-options';
import { ChannelProtocol, negotiatePortForward, negotiateRemoteCommand, offeredProtocols, PortForwardProtocol, UnsupportedProtocols, V5 } from './protocols';
import { refuseUpgrade } from './refuse';
import { serveRemoteCommand } from './remote-command-session';

/**
 * The server's `upgrade` event: pods/exec, pods/attach and pods/portforward over WebSocket.
 * Checks run in the real server's order (authentication, route, method, pod, container, streams,
 * subprotocol); any refusal is an HTTP response with a Status before the handshake.
 */
export interface UpgradeOptions {
  store: Store;
  streams: StreamRegistry;
  requests: RecordedRequest[];
  bearerToken?: string;
  followIntervalMs: number;
}

const STREAMING_SUBRESOURCES = ['exec', 'attach', 'portforward'];

type Session = (ws: WebSocket) => () => void;

function isWebSocketUpgrade(req: IncomingMessage): boolean {
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  const connection = String(req.headers.connection ?? '').toLowerCase();
  return upgrade === 'websocket' && /(^|,)\s*upgrade\s*(,|$)/.test(connection);
}

function streamingPath(pathname: string): ResourcePath & { subresource: string } {
  const parsed = parseResourcePath(pathname);
  if (parsed.kind !== 'resource') throw new ApiError(pathNotFound());
  const p = parsed.path;
  if (p.subresource === undefined || p.name === undefined) throw badRequest('only pods/exec, pods/attach and pods/portforward can be upgraded on this server');
  if (p.resource.resource !== 'pods' || !STREAMING_SUBRESOURCES.includes(p.subresource)) {
    throw new ApiError(p.resource.subresources.some((s) => s.name === p.subresource) ? failure(400, 'BadRequest', `${p.resource.resource}/${p.subresource} cannot be upgraded`) : pathNotFound());
  }
  return { ...p, subresource: p.subresource };
}

function negotiated<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof UnsupportedProtocols) throw new ApiError(failure(403, 'Forbidden', e.message));
    throw e;
  }
}

export function createUpgradeHandler(opts: UpgradeOptions): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const chosen = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });
  // The subprotocol is chosen here, not by ws: ws rejects names that are not RFC 7230 tokens, and
  // "SPDY/3.1+portforward.k8s.io" (kubectl's port-forward) is not one.
  wss.on('headers', (headers: string[], req: IncomingMessage) => {
    const protocol = chosen.get(req);
    if (protocol) headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
  });

  /** Everything the real server checks before it answers 101; returns how to run the session. */
  const admit = (req: IncomingMessage): { protocol: string; session: Session } => {
    if (opts.bearerToken !== undefined && req.headers.authorization !== `Bearer ${opts.bearerToken}`) throw new ApiError(unauthorized());
    const url = new URL(req.url ?? '/', 'http://localhost');
    const p = streamingPath(url.pathname);
    if (req.method !== 'GET' && req.method !== 'POST') throw methodNotAllowed();
    const pod = findPod(opts.store, p);
    const remoteCommand = p.subresource === 'portforward' ? undefined : parseRemoteCommandOptions(url.searchParams, pod);
    if (!isWebSocketUpgrade(req)) {
      throw badRequest(`this test server streams pods/${p.subresource} over WebSocket only (kubectl 1.31+ does so by default; SPDY is not served)`);
    }
    const offered = offeredProtocols(req);
    if (!remoteCommand) {
      const pf: PortForwardProtocol = negotiated(() => negotiatePortForward(offered));
      if (pf.kind === 'spdy-tunnel') return { protocol: pf.name, session: (ws) => serveSpdyPortForward(ws, pod) };
      const ports = parsePortsQuery(url.searchParams);
      return { protocol: pf.protocol.name, session: (ws) => serveChannelPortForward(ws, pf.protocol, pod, ports) };
    }
    const { options, container } = remoteCommand;
    const protocol: ChannelProtocol = negotiated(() => negotiateRemoteCommand(offered));
    if (protocol !== V5 && !options.stdin && !options.stdout && !options.stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
    const kind = p.subresource === 'attach' ? 'attach' : 'exec';
    return {
      protocol: protocol.name,
      session: (ws) => serveRemoteCommand(new ChannelConnection(ws, protocol), { kind, container, options, followIntervalMs: opts.followIntervalMs }),
    };
  };

  return (req, socket, head) => {
    opts.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers }, body: '', time: Date.now() });
    socket.on('error', () => socket.destroy());
    let admitted: { protocol: string; session: Session };
    try {
      admitted = admit(req);
    } catch (e) {
      refuseUpgrade(socket, e instanceof ApiError ? e.status : failure(500, 'InternalError', e instanceof Error ? e.message : String(e)));
      return;
    }
    chosen.set(req, admitted.protocol);
    delete req.headers['sec-websocket-protocol'];
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stop = admitted.session(ws);
      opts.streams.add(stop);
      ws.on('close', () => opts.streams.delete(stop));
    });
  };
}
