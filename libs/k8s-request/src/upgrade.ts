/**
 * Connection-upgrade detection (WebSocket / SPDY), used to authorize streaming subresources.
 */

type Headers = Record<string, string | string[] | undefined>;

function headerValues(headers: Headers, name: string): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    out.push(...(Array.isArray(value) ? value : [value]));
  }
  return out;
}

/**
 * True when the request asks to switch protocols: a Connection header mentioning "upgrade" and
 * a non-empty Upgrade header. The Connection test is a case-insensitive substring match, like
 * k8s.io/apimachinery httpstream.IsUpgradeRequest, so "keep-alive, Upgrade" counts; erring
 * towards "upgrade" only ever makes exec/attach/portforward need the stronger `create` verb.
 */
export function isUpgradeRequest(headers: Headers): boolean {
  const connection = headerValues(headers, 'connection').some((v) => v.toLowerCase().includes('upgrade'));
  const upgrade = headerValues(headers, 'upgrade').some((v) => v.trim() !== '');
  return connection && upgrade;
}
