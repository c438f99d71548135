import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { ApprovalsClient } from '../approvals/approvals-client';
import type { KubeSession } from './kube-session';
import { progressOf, type Progress, type ToolExtra } from './progress';
import { errorResult } from './results';
import type { ToolNeed } from './visibility/tool-needs';

/** What a tool call may use: the caller's view of the cluster and of their approvals, and this call's signal. */
export interface ToolContext {
  kube: KubeSession;
  approvals: ApprovalsClient;
  /** The caller's token, for the approvers API (never logged, never in a result). */
  token: string;
  limits: { maxOutputChars: number; waitMaxSeconds: number; pollMs: number };
  now: () => Date;
  signal: AbortSignal;
  progress: Progress;
  /** Records the finished call as evidence (McpToolCalled); never throws. */
  record(tool: string, args: Record<string, unknown>, result: CallToolResult): Promise<void>;
}

export type ToolShape = Record<string, z.ZodType>;
export type ArgsOf<S extends ToolShape> = z.infer<z.ZodObject<S>>;

/** Hints every client shows (and some act on): Kubernetes is one closed world, so openWorldHint is false. */
export type Hints = Required<Pick<ToolAnnotations, 'readOnlyHint' | 'destructiveHint' | 'idempotentHint'>>;

export interface ToolDefinition<S extends ToolShape> {
  name: string;
  title: string;
  description: string;
  input: S;
  hints: Hints;
  /** What its requests need the policy to grant; without it the tool is always listed (it asks the cluster nothing). */
  needs?: readonly ToolNeed[];
  run(args: ArgsOf<S>, ctx: ToolContext): Promise<CallToolResult>;
}

/** A tool ready to join a server; the context is built per call from the request's caller. */
export interface ToolRegistration {
  name: string;
  needs?: readonly ToolNeed[];
  register(server: McpServer, contextFor: (extra: Pick<ToolContext, 'signal' | 'progress'>) => ToolContext): void;
}

export function defineTool<S extends ToolShape>(def: ToolDefinition<S>): ToolRegistration {
  return {
    name: def.name,
    ...(def.needs ? { needs: def.needs } : {}),
    register(server, contextFor) {
      server.registerTool(
        def.name,
        {
          title: def.title,
          description: def.description,
          inputSchema: def.input,
          annotations: { title: def.title, ...def.hints, openWorldHint: false },
        },
        // The SDK has validated the arguments against `input` before this runs. It types them from
        // the shape, which it cannot do for a generic S; ArgsOf<S> is that same type, hence the cast.
        (async (args: ArgsOf<S>, extra: ToolExtra): Promise<CallToolResult> => {
          const ctx = contextFor({ signal: extra.signal, progress: progressOf(extra) });
          let result: CallToolResult;
          try {
            result = await def.run(args, ctx);
          } catch (e) {
            result = errorResult(e);
          }
          await ctx.record(def.name, args as Record<string, unknown>, result);
          return result;
        }) as never,
      );
    },
  };
}
