import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { MASK_DOCUMENT_MAX_BYTES } from '@chaperone/contracts';
import type { ResponseMasking } from '../context/request-context';
import type { StepTimes } from '../context/step-times';
import { copyHead, drained, type Delivery } from './pass-through';

/** Headers that describe the upstream body's framing; the masked body has its own. */
const DROP = new Set(['content-length', 'content-encoding']);

export const MASKED_COUNT_HEADER = 'x-chaperone-masked-values';

/**
 * A document is fed to masking in batches of about this many bytes; one that never fills a batch
 * goes whole with `end`, masked in one request.
 */
const FEED_BATCH_BYTES = MASK_DOCUMENT_MAX_BYTES;

/** Well inside the masking service's idle timeout. */
const KEEPALIVE_MS = 10_000;

function decoded(proxyRes: IncomingMessage): Readable {
  const enc = String(proxyRes.headers['content-encoding'] ?? '').toLowerCase();
  if (enc === 'gzip') return proxyRes.pipe(createGunzip());
  if (enc === 'deflate') return proxyRes.pipe(createInflate());
  return proxyRes;
}

/**
 * Send the cluster's response through the masking stream to the agent.
 * - document: the whole (decoded) body is masked, then the completion is stored, then the body is
 *   sent with its length and the count of masked values; nothing reaches the agent before masking
 *   has finished.
 * - watch / lines: each chunk's completed events or lines are masked and written as they arrive;
 *   back-pressure flows from the agent through masking to the cluster. When the agent closes the
 *   stream (Ctrl-C on `logs -f`), the masking stream is ended cleanly so its report is complete.
 * Resolves true when sent to the end, false when the agent left first. Throws when masking fails;
 * the caller refuses the response (before the head) or cuts it (after). A document's wait for its
 * masked body is the request's `mask` step.
 */
export async function sendMasked(proxyRes: IncomingMessage, res: ServerResponse, masking: ResponseMasking, delivery: Delivery, steps: StepTimes): Promise<boolean> {
  const { stream } = masking;
  const body = decoded(proxyRes);
  if (masking.mode === 'document') {
    // Coalesce the cluster's small chunks (16-64 KiB) into batches fed to the replica as they fill,
    // without waiting for each answer: the document moves to masking while the cluster still sends.
    let batch: Buffer[] = [];
    let batched = 0;
    for await (const chunk of body) {
      batch.push(chunk as Buffer);
      batched += (chunk as Buffer).length;
      if (batched >= FEED_BATCH_BYTES) {
        await stream.feed(Buffer.concat(batch));
        batch = [];
        batched = 0;
      }
    }
    // The last batch goes with `end`: a small body is masked in one exchange.
    const ending = performance.now();
    let out: Buffer;
    try {
      out = await stream.end(batched > 0 ? Buffer.concat(batch) : undefined);
    } finally {
      steps.since('mask', ending);
    }
    if (res.destroyed) return false;
    delivery.account(out);
    await delivery.beforeLast();
    copyHead(proxyRes, res, DROP, { 'content-length': out.length, [MASKED_COUNT_HEADER]: stream.report?.count ?? 0 });
    res.end(out);
    return true;
  }
  copyHead(proxyRes, res, DROP);
  res.flushHeaders();
  // A quiet watch must not let the masking replica forget the stream.
  const keepAlive = setInterval(() => void stream.keepAlive().catch(() => proxyRes.destroy()), KEEPALIVE_MS);
  const agentLeft = () => proxyRes.destroy();
  res.once('close', agentLeft);
  try {
    try {
      for await (const chunk of body) {
        const out = await stream.data(chunk as Buffer);
        if (res.destroyed) break;
        if (out.length === 0) continue;
        delivery.account(out);
        if (!res.write(out)) await drained(res);
      }
    } catch (e) {
      // The cluster's side ended because the agent left: not a masking failure.
      if (!res.destroyed) throw e;
    }
    const rest = await stream.end();
    if (res.destroyed) return false;
    delivery.account(rest);
    res.end(rest);
    return true;
  } finally {
    clearInterval(keepAlive);
    res.off('close', agentLeft);
  }
}
