import { IncomingMessage } from 'node:http';

/**
 * The WebSocket subprotocols of streaming requests, as a real cluster serves them:
 *  - exec/attach offering v5.channel.k8s.io go to the API server's stream translator, which speaks
 *    v5 only (channel 255 half-closes a stream, e.g. stdin);
 *  - other exec/attach requests reach the kubelet, which speaks v4 (binary or base64) and the
 *    original channel.k8s.io (errors as plain text);
 *  - port-forward offering SPDY/3.1+portforward.k8s.io is SPDY tunnelled through WebSocket (what
 *    kubectl 1.31+ does); otherwise the kubelet's channel protocol with a `ports` query.
 * The channel byte of each message is the stream: 0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize.
 */
export interface ChannelProtocol {
  /** '' when the client asked for none. */
  readonly name: string;
  /** false: text frames, the channel as an ASCII digit and the payload base64-encoded. */
  readonly binary: boolean;
  /** true (v4+): the error channel carries a metav1.Status; false: only a failure's message text. */
  readonly statusJson: boolean;
  /** v5: a [255, channel] message closes that stream's input. */
  readonly streamClose: boolean;
}

const protocol = (name: string, binary: boolean, statusJson: boolean, streamClose = false): ChannelProtocol => Object.freeze({ name, binary, statusJson, streamClose });

export const V5 = protocol('v5.channel.k8s.io', true, true, true);

/** What the kubelet serves for exec and attach. */
const KUBELET_REMOTE_COMMAND: readonly ChannelProtocol[] = Object.freeze([
  protocol('v4.channel.k8s.io', true, true),
  protocol('v4.base64.channel.k8s.io', false, true),
  protocol('channel.k8s.io', true, false),
  protocol('base64.channel.k8s.io', false, false),
  protocol('', true, false),
]);

/** What the kubelet serves for port-forward over WebSocket. */
const KUBELET_PORT_FORWARD: readonly ChannelProtocol[] = Object.freeze([
  protocol('v4.channel.k8s.io', true, true),
  protocol('v4.base64.channel.k8s.io', false, true),
  protocol('', true, true),
]);

export const STREAM_CLOSE_CHANNEL = 255;
export const SPDY_TUNNEL_PREFIX = 'SPDY/3.1+';
export const PORT_FORWARD_SPDY_PROTOCOL = 'portforward.k8s.io';

/** The subprotocols a WebSocket client offered, in its order of preference. */
export function offeredProtocols(req: IncomingMessage): string[] {
  const raw = req.headers['sec-websocket-protocol'];
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return values.flatMap((v) => v.split(',')).map((p) => p.trim()).filter((p) => p.length > 0);
}

export class UnsupportedProtocols extends Error {
  constructor(offered: string[], supported: string[]) {
    super(`requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${supported.join(' ')}]`);
  }
}

/** The client's first offer the server supports; no offer at all means the unnamed protocol. */
function pick(offered: string[], supported: readonly ChannelProtocol[]): ChannelProtocol {
  const wanted = offered.length > 0 ? offered : [''];
  for (const name of wanted) {
    const hit = supported.find((p) => p.name === name);
    if (hit) return hit;
  }
  throw new UnsupportedProtocols(offered, supported.map((p) => p.name).filter((n) => n));
}

export function negotiateRemoteCommand(offered: string[]): ChannelProtocol {
  return offered.includes(V5.name) ? V5 : pick(offered, KUBELET_REMOTE_COMMAND);
}

export type PortForwardProtocol = { kind: 'spdy-tunnel'; name: string } | { kind: 'channels'; protocol: ChannelProtocol };

export function negotiatePortForward(offered: string[]): PortForwardProtocol {
  const tunnel = offered.filter((p) => p.startsWith(SPDY_TUNNEL_PREFIX) && p.endsWith('k8s.io'));
  if (tunnel.length > 0) {
    const name = SPDY_TUNNEL_PREFIX + PORT_FORWARD_SPDY_PROTOCOL;
    if (!tunnel.includes(name)) throw new UnsupportedProtocols(tunnel, [name]);
    return { kind: 'spdy-tunnel', name };
  }
  return { kind: 'channels', protocol: pick(offered, KUBELET_PORT_FORWARD) };
}
