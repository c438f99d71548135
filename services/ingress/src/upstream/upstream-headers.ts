import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { CHAPERONE_HEADER_PREFIX, Headers, type Identity } from '@chaperone/contracts';

/** Hop-by-hop headers (RFC 9110 §7.6.1) a proxy must not forward. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);

export interface UpstreamIdentity {
  identity: Identity;
  sessionId: string;
  requestId: string;
  /** The gateway's own credential, e.g. "Bearer <service-account token>"; absent with client certificates. */
  authorization: string | undefined;
  upgrade: boolean;
}

/**
 * The headers sent to the cluster. The agent's credentials and any impersonation it attempts are
 * removed, including headers it names in `Connection` (a hop-by-hop trick to make a proxy drop or
 * keep headers selectively); then the gateway's credential and impersonation of the verified
 * identity are added, so the cluster authorises and audits the agent, not the gateway.
 */
export function upstreamHeaders(incoming: IncomingHttpHeaders, up: UpstreamIdentity): OutgoingHttpHeaders {
  const named = new Set(
    String(incoming.connection ?? '')
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter((t) => t.length > 0),
  );
  const out: OutgoingHttpHeaders = {};
  for (const [key, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    const name = key.toLowerCase();
    // Identity headers are refused at authentication; stripped here too, whoever builds the request.
    if (name === 'authorization' || name.startsWith('impersonate-') || name.startsWith('x-remote-')) continue;
    // Chaperone's own headers (approval reason and mode) are for the gateway, not the cluster.
    if (name.startsWith(CHAPERONE_HEADER_PREFIX)) continue;
    if (HOP_BY_HOP.has(name)) continue;
    if (named.has(name)) continue;
    out[name] = value;
  }
  if (up.upgrade) {
    // The upgrade itself is the one hop-by-hop exchange that must reach the cluster.
    out['connection'] = 'Upgrade';
    if (incoming.upgrade !== undefined) out['upgrade'] = incoming.upgrade;
  }
  if (up.authorization !== undefined) out['authorization'] = up.authorization;
  out['impersonate-user'] = up.identity.username;
  if (up.identity.groups.length > 0) out['impersonate-group'] = [...up.identity.groups];
  out[Headers.impersonateExtraSession] = up.sessionId;
  out[Headers.impersonateExtraRequest] = up.requestId;
  return out;
}
