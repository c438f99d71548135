import type { Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { BlobStore } from '@chaperone/blob-store';
import { statusError } from '../access/compliance-access';

/**
 * Reads a stored blob (a body or a session recording) for a reader: the blob store checks the bytes
 * against their digest on every read; an altered blob is a 500, a missing one a 404 saying why.
 * `what` names it in messages ("the response body of request …").
 */
export async function readStoredBlob(blobs: BlobStore, logger: Logger, digest: string, what: string, deferred: boolean): Promise<Uint8Array> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await blobs.get(digest);
  } catch (e) {
    if (e instanceof Error && e.name === 'BlobCorrupt') {
      logger.error(`${what}: ${e.message}`);
      throw statusError('InternalError', `${what} does not match its digest ${digest}: it was altered in the blob store (run chaperone verify)`);
    }
    throw statusError('ServiceUnavailable', `the blob store could not be read: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!bytes) {
    throw statusError(
      'NotFound',
      deferred
        ? `${what} is not in the blob store yet: the ingress deferred storing it (RecordingDeferred)`
        : `${what} (blob ${digest}) is missing from the blob store (run chaperone verify)`,
    );
  }
  return bytes;
}

/** Sends stored bytes from agents and clusters: never cached, never sniffed into HTML, never run as a page. */
export function sendStoredBytes(res: Response, bytes: Uint8Array, contentType: string, headers: Record<string, string>): void {
  res.status(200);
  res.setHeader('content-type', contentType);
  res.setHeader('content-length', String(bytes.length));
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('content-security-policy', "default-src 'none'; sandbox");
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}
