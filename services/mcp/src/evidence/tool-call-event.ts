import { createHash, randomUUID } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Identity, McpToolCalled } from '@chaperone/contracts';

/** Argument values kept as text up to this length; longer ones (and free-form ones) by digest. */
const MAX_KEPT_CHARS = 200;
/** Free-form values that can carry secrets (a manifest may be a Secret): never kept as text. */
const DIGEST_ONLY = new Set(['manifest', 'command', 'stdin']);

export interface ToolCallFacts {
  tool: string;
  arguments: Record<string, unknown>;
  requestIds: readonly string[];
  result: CallToolResult;
  durationMs: number;
  identity: Identity;
  sessionId: string;
  now: Date;
  toolCallId?: string;
}

/** The evidence of one tool call. Pure but for the id, which a test can pass in. */
export function toolCallEvent(f: ToolCallFacts): McpToolCalled {
  const toolCallId = f.toolCallId ?? `mcp-${randomUUID()}`;
  const { outcome, message } = outcomeOf(f.result);
  return {
    eventId: `${toolCallId}:tool-called`,
    schemaVersion: 1,
    type: 'McpToolCalled',
    time: f.now.toISOString(),
    requestId: toolCallId,
    sessionId: f.sessionId,
    traceId: '',
    identity: f.identity,
    payload: {
      tool: f.tool,
      arguments: maskArguments(f.arguments),
      requestIds: [...new Set(f.requestIds)].slice(0, 1000),
      outcome,
      ...(message ? { message } : {}),
      durationMs: Math.round(f.durationMs * 1000) / 1000,
    },
  };
}

/** Scalars as they are; long or free-form strings as digest and size; objects by their JSON's digest. */
export function maskArguments(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    if (typeof value === 'number' || typeof value === 'boolean' || value === null) out[key] = value;
    else if (typeof value === 'string' && value.length <= MAX_KEPT_CHARS && !DIGEST_ONLY.has(key)) out[key] = value;
    else out[key] = digestOf(typeof value === 'string' ? value : JSON.stringify(value) ?? '');
  }
  return out;
}

function digestOf(text: string): string {
  return `<sha256:${createHash('sha256').update(text).digest('hex')}, ${Buffer.byteLength(text)} bytes>`;
}

function outcomeOf(result: CallToolResult): { outcome: McpToolCalled['payload']['outcome']; message?: string } {
  const structured = result.structuredContent as { status?: unknown; kind?: unknown; code?: unknown } | undefined;
  if (!result.isError) return structured?.status === 'pending' ? { outcome: 'pending' } : { outcome: 'ok' };
  const first = result.content.find((c) => c.type === 'text');
  const message = first && first.type === 'text' ? first.text.split('\n')[0]?.slice(0, 500) : undefined;
  const refused = structured?.kind === 'Status' && (structured.code === 403 || structured.code === 429);
  return { outcome: refused ? 'refused' : 'error', ...(message ? { message } : {}) };
}
