import { setting, type ConfigOf, type Setting } from '@chaperone/config';
import { commonSettings, oidcSettings } from '@chaperone/service-runtime';
import { z } from 'zod';

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password;
  } catch {
    return false;
  }
}

const HTTP_URL = z
  .string()
  .refine(isHttpUrl, 'not an http(s) URL without credentials')
  // Without a trailing slash, so paths join cleanly.
  .transform((v) => v.replace(/\/+$/, ''));

function url(env: string, expected: string, defaultValue: string): Setting<string> {
  return { env, expected, schema: HTTP_URL, default: defaultValue };
}

function optionalUrl(env: string, expected: string): Setting<string | undefined> {
  return { env, expected, schema: z.union([z.literal('').transform(() => undefined), HTTP_URL]), default: '' };
}

/**
 * The MCP door. It speaks MCP (Streamable HTTP) on the same listener as /healthz and /readyz
 * (CHAPERONE_HEALTH_HOST / CHAPERONE_HEALTH_PORT, default 9406), verifies callers' OIDC tokens with
 * the ingress's issuer settings, and sends every Kubernetes call to the ingress with the caller's
 * own token: it holds no cluster credential.
 */
export const mcpSettings = {
  ...commonSettings(9406),
  ...oidcSettings(),
  ingressUrl: url('CHAPERONE_MCP_INGRESS_URL', 'the ingress URL every Kubernetes call goes to, e.g. https://chaperone.chaperone.svc:8443', 'https://127.0.0.1:8443'),
  ingressCaFile: setting.optional('CHAPERONE_MCP_INGRESS_CA_FILE', 'path to the PEM CA bundle that signed the ingress certificate (default: the system CAs)'),
  approvalUrl: url('CHAPERONE_MCP_APPROVAL_URL', 'the approvers API URL, read with the caller\'s token for approval status and waits', 'http://127.0.0.1:9403'),
  publicUrl: optionalUrl(
    'CHAPERONE_MCP_PUBLIC_URL',
    'the URL MCP clients reach this service at, without /mcp (its resource identifier in the OAuth metadata; default http://127.0.0.1:<the health port>)',
  ),
  allowedOrigins: setting.list(
    'CHAPERONE_MCP_ALLOWED_ORIGINS',
    'comma-separated browser origins allowed to call /mcp (requests with any other Origin header are refused: DNS rebinding)',
    '',
  ),
  requestTimeoutMs: setting.int('CHAPERONE_MCP_REQUEST_TIMEOUT_MS', 'milliseconds to wait for the ingress\'s answer to one Kubernetes call (held approvals excepted)', '30000', 100, 600_000),
  holdMaxSeconds: setting.int(
    'CHAPERONE_MCP_HOLD_MAX_SECONDS',
    'seconds a tool call may stay held by an approval rule that does not give tickets, before it is withdrawn',
    '600',
    1,
    3600,
  ),
  waitMaxSeconds: setting.int('CHAPERONE_MCP_WAIT_MAX_SECONDS', 'the longest wait_for_approval may wait in one call', '600', 1, 3600),
  pollMs: setting.int('CHAPERONE_MCP_APPROVAL_POLL_MS', 'milliseconds between polls of an approval by wait_for_approval', '1000', 100, 60_000),
  maxOutputChars: setting.int('CHAPERONE_MCP_MAX_OUTPUT_CHARS', 'characters of one tool result before it is cut (with a note saying so)', '100000', 1000, 10_000_000),
  discoveryTtlSeconds: setting.int('CHAPERONE_MCP_DISCOVERY_TTL_SECONDS', 'seconds a caller\'s API discovery (resource names) is reused', '300', 0, 86_400),
};

export type McpConfig = ConfigOf<typeof mcpSettings>;
