import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Identity } from '@chaperone/contracts';
import type { Upstream } from '../upstream/upstream';
import { upstreamHeaders } from '../upstream/upstream-headers';

/** A live object bigger than this is not read (approvers get the request body alone). */
const MAX_LIVE_OBJECT_BYTES = 3 * 1024 * 1024;
const LIVE_OBJECT_TIMEOUT_MS = 5000;

export interface LiveObjectRequest {
  /** The object's path, e.g. /apis/apps/v1/namespaces/default/deployments/web/scale. */
  path: string;
  identity: Identity;
  sessionId: string;
  requestId: string;
}

/**
 * GETs the object an update or patch would change, from the cluster, as the agent (the gateway's
 * credentials with the agent impersonated, exactly like forwarding), so approvers can compare. Best
 * effort: any failure (not found, forbidden, too large, slow) yields undefined and the approval
 * shows the request body alone. The caller masks the result before it leaves the gateway.
 */
export function fetchLiveObject(upstream: Upstream, req: LiveObjectRequest): Promise<Buffer | undefined> {
  const url = new URL(req.path, upstream.target);
  const headers = upstreamHeaders(
    { accept: 'application/json' },
    { identity: req.identity, sessionId: req.sessionId, requestId: req.requestId, authorization: upstream.authorization(), upgrade: false },
  );
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const out = send(url, { method: 'GET', agent: upstream.agent, headers, timeout: LIVE_OBJECT_TIMEOUT_MS }, (res: IncomingMessage) => {
      if (res.statusCode !== 200) {
        res.resume();
        resolve(undefined);
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_LIVE_OBJECT_BYTES) {
          res.destroy();
          resolve(undefined);
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', () => resolve(undefined));
    });
    out.on('timeout', () => out.destroy());
    out.on('error', () => resolve(undefined));
    out.end();
  });
}
