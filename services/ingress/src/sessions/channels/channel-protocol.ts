/**
 * The Kubernetes streaming subprotocols the relay understands. Remote command (exec, attach):
 * every binary message starts with one channel byte; v5 adds a close message [255, channel] that
 * half-closes a stream (stdin). Port-forward: kubectl tunnels SPDY through binary messages (no
 * channel byte); the kubelet's v4 protocol uses channels 2i (data) and 2i+1 (error) per port.
 */
export const Channel = Object.freeze({ stdin: 0, stdout: 1, stderr: 2, status: 3, resize: 4, close: 255 });

export const ChannelProtocols = Object.freeze({
  v5: 'v5.channel.k8s.io',
  v4: 'v4.channel.k8s.io',
  spdyPortForward: 'SPDY/3.1+portforward.k8s.io',
});

/** What the relay offers the cluster for each kind of session, in the agent's order. */
const RELAYED: Readonly<Record<SessionKind, readonly string[]>> = Object.freeze({
  exec: [ChannelProtocols.v5, ChannelProtocols.v4],
  attach: [ChannelProtocols.v5, ChannelProtocols.v4],
  portforward: [ChannelProtocols.spdyPortForward, ChannelProtocols.v4],
});

export type SessionKind = 'exec' | 'attach' | 'portforward';

/** The subprotocols a WebSocket client offered, in its order of preference. */
export function offeredProtocols(header: string | string[] | undefined): string[] {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  return values
    .flatMap((v) => v.split(','))
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/**
 * The offered subprotocols the relay can read, in the agent's order; the others (base64 variants,
 * the unversioned channel.k8s.io) are withheld from the cluster, so it cannot pick one the relay
 * would have to pass blind.
 */
export function relayableProtocols(kind: SessionKind, offered: readonly string[]): string[] {
  return offered.filter((p) => RELAYED[kind].includes(p));
}

export function supportedProtocols(kind: SessionKind): readonly string[] {
  return RELAYED[kind];
}
