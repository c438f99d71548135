import type { IncomingMessage } from 'node:http';
import { ClientGone } from '../errors/client-gone';

/**
 * The largest request body held for approval: the API server's own limit (3 MiB,
 * MaxRequestBodyBytes), so nothing the cluster would accept is refused here.
 */
export const MAX_HELD_BODY_BYTES = 3 * 1024 * 1024;

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the request body is larger than ${limit} bytes`);
    this.name = 'BodyTooLarge';
  }
}


/**
 * Reads a request body into memory, up to `limit` bytes. An approved request is forwarded later
 * with exactly these bytes, and their digest is part of what is approved.
 */
export function readBody(req: IncomingMessage, limit = MAX_HELD_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) {
      reject(new BodyTooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.resume(); // drain the rest so the 413 can be written
        reject(new BodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = () => {
      cleanup();
      reject(new ClientGone());
    };
    const onClose = () => {
      if (!req.complete) {
        cleanup();
        reject(new ClientGone());
      }
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
