import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import type { Upstream } from '../../upstream/upstream';

/** The cluster's answer to an upgrade: switched (its socket is the session) or refused (an HTTP answer). */
export type UpgradeAnswer =
  | { readonly kind: 'switched'; readonly res: IncomingMessage; readonly socket: Duplex; readonly head: Buffer }
  | { readonly kind: 'refused'; readonly res: IncomingMessage };

/**
 * Sends the upgrade request to the cluster (with the gateway's credential and impersonation in
 * `headers`) and waits for its answer. Nothing of the agent's connection is read before the answer:
 * no byte can reach the cluster before it switched protocols.
 */
export function upgradeUpstream(upstream: Upstream, path: string, headers: OutgoingHttpHeaders, onRequest: (abort: () => void) => void): Promise<UpgradeAnswer> {
  const { target } = upstream;
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: 'GET',
      path,
      headers: { ...headers, host: target.host },
      agent: upstream.agent,
    });
    req.once('upgrade', (res, socket, head) => resolve({ kind: 'switched', res, socket, head }));
    req.once('response', (res) => resolve({ kind: 'refused', res }));
    req.once('error', reject);
    onRequest(() => req.destroy());
    req.end();
  });
}

/** Largest refusal body relayed to the agent (a Status is small; anything longer is cut). */
const MAX_REFUSAL_BYTES = 64 * 1024;

/**
 * Relays the cluster's refusal (a Status, normally) to the agent's socket as a complete HTTP
 * response, then closes it: kubectl prints the cluster's reason, and no session starts. Resolves
 * to the body bytes sent.
 */
export async function relayRefusal(res: IncomingMessage, socket: Duplex, extra: Record<string, string>): Promise<number> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    if (size >= MAX_REFUSAL_BYTES) continue;
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  const body = Buffer.concat(chunks).subarray(0, MAX_REFUSAL_BYTES);
  const skip = new Set(['connection', 'transfer-encoding', 'content-length', 'keep-alive', 'upgrade']);
  const lines = [`HTTP/1.1 ${res.statusCode ?? 502} ${res.statusMessage ?? ''}`];
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    const name = res.rawHeaders[i] as string;
    if (!skip.has(name.toLowerCase())) lines.push(`${name}: ${res.rawHeaders[i + 1] ?? ''}`);
  }
  for (const [k, v] of Object.entries(extra)) lines.push(`${k}: ${v}`);
  lines.push(`Content-Length: ${body.length}`, 'Connection: close', '', '');
  if (socket.destroyed) return 0;
  socket.end(Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), body]));
  return body.length;
}

/** The 101 the agent gets: the cluster's own handshake headers (accept key, chosen subprotocol), plus ours. */
export function switchingProtocols(res: IncomingMessage, extra: Record<string, string>): Buffer {
  const lines = ['HTTP/1.1 101 Switching Protocols'];
  for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i] as string}: ${res.rawHeaders[i + 1] ?? ''}`);
  for (const [k, v] of Object.entries(extra)) lines.push(`${k}: ${v}`);
  lines.push('', '');
  return Buffer.from(lines.join('\r\n'), 'latin1');
}
