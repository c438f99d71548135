/** The MCP endpoint's path on this service's listener. */
export const MCP_PATH = '/mcp';
/** RFC 9728 §3: the well-known suffix; a resource with a path puts its path after it (§3.1). */
export const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/**
 * RFC 9728 protected resource metadata: which authorization server issues tokens for this MCP
 * endpoint (the OIDC issuer the ingress trusts) and how to present them. MCP clients read it after
 * a 401 to find where to log in.
 */
export function protectedResourceMetadata(baseUrl: string, issuer: string): Record<string, unknown> {
  return {
    resource: `${baseUrl}${MCP_PATH}`,
    authorization_servers: [issuer],
    bearer_methods_supported: ['header'],
    resource_name: 'Chaperone: Kubernetes through policy, masking, approvals and evidence',
  };
}

/** Where the metadata of the MCP endpoint lives (RFC 9728 §3.1: the well-known path, then the resource's path). */
export function metadataUrl(baseUrl: string): string {
  return `${baseUrl}${WELL_KNOWN}${MCP_PATH}`;
}

/** An auth-param value as a quoted-string (RFC 9110 §5.6.4): backslash and quote escaped, control characters dropped. */
function quoted(value: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${value.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * The challenge of a 401 (RFC 6750 §3, RFC 9728 §5.1): always the metadata URL; when a token was
 * sent and refused, `invalid_token` and why (the authenticator's reason never quotes the token).
 */
export function bearerChallenge(baseUrl: string, refused?: string): string {
  const params = [`resource_metadata=${quoted(metadataUrl(baseUrl))}`];
  if (refused !== undefined) params.unshift(`error="invalid_token"`, `error_description=${quoted(refused)}`);
  return `Bearer ${params.join(', ')}`;
}
