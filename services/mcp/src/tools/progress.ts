import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Progress of one tool call, sent only when the client asked for it (a progress token in _meta). */
export interface Progress {
  report(progress: number, total: number | undefined, message: string): Promise<void>;
}

export function progressOf(extra: ToolExtra): Progress {
  const token = extra._meta?.progressToken;
  return {
    async report(progress, total, message) {
      if (token === undefined) return;
      // A client that went away cannot be told; the call itself ends through its abort signal.
      await extra
        .sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress, ...(total === undefined ? {} : { total }), message } })
        .catch(() => undefined);
    },
  };
}
