import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ApprovalsClient } from '../approvals/approvals-client';
import type { DiscoveryCache } from '../discovery/discovery-cache';
import type { IngressClient } from '../ingress/ingress-client';
import { TOOLS } from '../tools';
import { KubeSession } from '../tools/kube-session';
import type { ToolContext } from '../tools/tool-definition';

/** Who is calling: verified by this service, and verified again by the ingress on every Kubernetes call. */
export interface Caller {
  token: string;
  username: string;
}

export interface ServerDeps {
  ingress: IngressClient;
  approvals: ApprovalsClient;
  discovery: DiscoveryCache;
  limits: ToolContext['limits'] & { requestTimeoutMs: number; holdMaxSeconds: number };
  now: () => Date;
  version: string;
}

const INSTRUCTIONS = [
  'Kubernetes through Chaperone. Every tool call is one or more Kubernetes API requests sent as you: Chaperone\'s policy decides each,',
  'masks secrets in what comes back, and records it as evidence. A refusal names the policy rule and its reason.',
  'A change that needs a human\'s approval answers "pending" with an approval id: call wait_for_approval,',
  'then repeat the identical call (the "retry" of the pending answer); it runs exactly once.',
].join(' ');

/**
 * One MCP server per HTTP request (stateless Streamable HTTP): replicas share nothing, and each
 * request's tools act with that request's token only.
 */
export function createMcpServer(caller: Caller, deps: ServerDeps): McpServer {
  const server = new McpServer({ name: 'chaperone', title: 'Chaperone (Kubernetes)', version: deps.version }, { instructions: INSTRUCTIONS });
  const kube = new KubeSession(deps.ingress, caller.token, caller.username, deps.discovery, deps.limits);
  const contextFor = (call: Pick<ToolContext, 'signal' | 'progress'>): ToolContext => ({
    kube,
    approvals: deps.approvals,
    token: caller.token,
    limits: deps.limits,
    now: deps.now,
    ...call,
  });
  for (const tool of TOOLS) tool.register(server, contextFor);
  return server;
}
