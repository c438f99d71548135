import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { performance } from 'node:perf_hooks';
import type { Identity } from '@chaperone/contracts';
import { toolCallEvent } from '../evidence/tool-call-event';
import type { ApprovalsClient } from '../approvals/approvals-client';
import type { DiscoveryCache } from '../discovery/discovery-cache';
import type { IngressClient } from '../ingress/ingress-client';
import { TOOLS } from '../tools';
import { KubeSession } from '../tools/kube-session';
import type { ToolContext } from '../tools/tool-definition';
import type { ToolVisibility } from '../tools/visibility/tool-visibility';

/** Who is calling: verified by this service, and verified again by the ingress on every Kubernetes call. */
export interface Caller {
  token: string;
  username: string;
  identity: Identity;
  /** The session the ingress files this token's requests under: the tool calls go in the same stream. */
  sessionId: string;
}

/** Stores one evidence event durably (the events stream, like the ingress's). */
export interface EvidencePublisher {
  publish(event: ReturnType<typeof toolCallEvent>): Promise<void>;
}

export interface ServerDeps {
  ingress: IngressClient;
  approvals: ApprovalsClient;
  discovery: DiscoveryCache;
  limits: ToolContext['limits'] & { requestTimeoutMs: number; holdMaxSeconds: number };
  now: () => Date;
  version: string;
  evidence: EvidencePublisher;
  /** Which tools the caller's tools/list leaves out. */
  visibility: ToolVisibility;
  /** Where a tool call that could not be recorded is reported (never with its arguments). */
  onRecordFailed?: (tool: string, error: unknown) => void;
}

const INSTRUCTIONS = [
  'Kubernetes through Chaperone. Every tool call is one or more Kubernetes API requests sent as you: Chaperone\'s policy decides each,',
  'masks secrets in what comes back, and records it as evidence. A refusal names the policy rule and its reason.',
  'A change that needs a human\'s approval answers "pending" with an approval id: call wait_for_approval,',
  'then repeat the identical call (the "retry" of the pending answer); it runs exactly once.',
].join(' ');

/**
 * One MCP server per HTTP request (stateless Streamable HTTP): replicas share nothing, and each
 * request's tools act with that request's token only. `hidden` tools are not registered: a
 * tools/list then leaves them out (see ToolVisibility).
 */
export function createMcpServer(caller: Caller, deps: ServerDeps, hidden: ReadonlySet<string> = new Set()): McpServer {
  const server = new McpServer({ name: 'chaperone', title: 'Chaperone (Kubernetes)', version: deps.version }, { instructions: INSTRUCTIONS });
  // A session per tool call, so each call's evidence names exactly the requests it sent.
  const contextFor = (call: Pick<ToolContext, 'signal' | 'progress'>): ToolContext => {
    const kube = new KubeSession(deps.ingress, caller.token, caller.username, deps.discovery, deps.limits);
    const started = performance.now();
    return {
      kube,
      approvals: deps.approvals,
      token: caller.token,
      limits: deps.limits,
      now: deps.now,
      ...call,
      record: async (tool, args, result) => {
        const event = toolCallEvent({
          tool,
          arguments: args,
          requestIds: kube.requestIds,
          result,
          durationMs: performance.now() - started,
          identity: caller.identity,
          sessionId: caller.sessionId,
          now: deps.now(),
        });
        try {
          await deps.evidence.publish(event);
        } catch (e) {
          deps.onRecordFailed?.(tool, e);
        }
      },
    };
  };
  for (const tool of TOOLS) if (!hidden.has(tool.name)) tool.register(server, contextFor);
  return server;
}
