import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { MASK_CHUNK_BYTES, type MaskMode } from '@chaperone/contracts';
import type { MaskStream } from './masking-client';

/** Headers that describe the upstream body's framing; the masked body has its own. */
const DROP = new Set(['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive']);

export const MASKED_COUNT_HEADER = 'x-chaperone-masked-values';

function decoded(proxyRes: IncomingMessage): Readable {
  const enc = String(proxyRes.headers['content-encoding'] ?? '').toLowerCase();
  if (enc === 'gzip') return proxyRes.pipe(createGunzip());
  if (enc === 'deflate') return proxyRes.pipe(createInflate());
  return proxyRes;
}

function copyHead(proxyRes: IncomingMessage, res: ServerResponse, extra: Record<string, string | number>): void {
  for (const [k, v] of Object.entries(proxyRes.headers)) {
    if (v !== undefined && !DROP.has(k.toLowerCase())) res.setHeader(k, v);
  }
  for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
  res.writeHead(proxyRes.statusCode ?? 502);
}

/**
 * Send the cluster's response through the masking stream to the agent.
 * - document: the whole (decoded) body is masked, then sent with its length and the count of
 *   masked values; nothing reaches the agent before masking has finished.
 * - watch / lines: each chunk's completed events or lines are masked and written as they arrive;
 *   back-pressure flows from the agent through masking to the cluster.
 * Throws when masking fails; the caller refuses the response (before the head) or cuts it (after).
 */
export async function sendMasked(
  proxyRes: IncomingMessage,
  res: ServerResponse,
  stream: MaskStream,
  mode: MaskMode,
  onOutput: (sent: Buffer) => void,
): Promise<void> {
  const body = decoded(proxyRes);
  if (mode === 'document') {
    // Coalesce the cluster's small chunks (16-64 KiB) into full masking chunks: one round trip per
    // 512 KiB instead of one per socket read.
    let batch: Buffer[] = [];
    let batched = 0;
    for await (const chunk of body) {
      batch.push(chunk as Buffer);
      batched += (chunk as Buffer).length;
      if (batched >= MASK_CHUNK_BYTES) {
        await stream.data(Buffer.concat(batch));
        batch = [];
        batched = 0;
      }
    }
    // The last batch goes with `end`: a small body is masked in one exchange.
    const out = await stream.end(batched > 0 ? Buffer.concat(batch) : undefined);
    copyHead(proxyRes, res, { 'content-length': out.length, [MASKED_COUNT_HEADER]: stream.report?.count ?? 0 });
    onOutput(out);
    res.end(out);
    return;
  }
  copyHead(proxyRes, res, {});
  res.flushHeaders();
  // A quiet watch must not let the masking replica forget the stream.
  const keepAlive = setInterval(() => void stream.keepAlive().catch(() => proxyRes.destroy()), KEEPALIVE_MS);
  try {
    for await (const chunk of body) {
      const out = await stream.data(chunk as Buffer);
      if (out.length === 0) continue;
      onOutput(out);
      if (!res.write(out)) await new Promise((r) => res.once('drain', r));
    }
    const rest = await stream.end();
    onOutput(rest);
    res.end(rest);
  } finally {
    clearInterval(keepAlive);
  }
}

/** Well inside the masking service's idle timeout. */
const KEEPALIVE_MS = 10_000;
