import { z } from 'zod';

/**
 * The masking protocol (ingress → masking service).
 *
 * A small whole document (the answer to a get or list, up to MASK_DOCUMENT_MAX_BYTES) is masked in
 * one request/reply on BusSubjects.maskDocument (queue group): raw bytes with the profile in
 * MaskHeaders.profile; the reply is the masked document with MaskHeaders.report, or an empty body
 * with MaskHeaders.error. No replica keeps anything.
 *
 * Bodies can be far larger than a NATS message (1 MB), and watch events and log lines arrive over
 * time, so anything else is masked as a stream:
 *
 * 1. `open` (request/reply on BusSubjects.maskOpen, queue group): one replica takes the stream and
 *    answers with a session subject only it listens on.
 * 2. `data` chunks (request/reply on that subject, raw bytes ≤ MASK_CHUNK_BYTES): each reply carries
 *    the masked output completed so far (whole watch events / log lines; nothing yet for a
 *    document, which is masked as a whole, so a document's chunks may travel several at once
 *    without waiting for each reply: the replica takes a stream's messages in the order sent).
 * 3. `end`: the reply carries the rest of the output, a page (MASK_CHUNK_BYTES) at a time. A reply
 *    that says `more` also says how many bytes the replica still holds (`pending`), so the ingress
 *    asks for the remaining pages with several `next` at once rather than one round trip per page;
 *    the replica answers them in the order sent. The last reply carries the report (what fired,
 *    never values).
 * 4. `close` (published, no reply): the stream is not needed after all (an open made ahead of the
 *    policy's decision that the decision did not use); the replica drops it at once.
 *
 * A replica that dies mid-stream fails that one response (the ingress times out and fails closed);
 * no other replica needs its state.
 */
export const MaskModes = Object.freeze(['document', 'watch', 'lines'] as const);
export type MaskMode = (typeof MaskModes)[number];

export const MaskOpenSchema = z.object({
  schemaVersion: z.literal(1),
  requestId: z.string().min(1),
  mode: z.enum(MaskModes),
  profile: z.string().min(1),
});
export type MaskOpen = z.infer<typeof MaskOpenSchema>;

export const MaskOpenReplySchema = z.object({
  schemaVersion: z.literal(1),
  session: z.string().min(1),
});
export type MaskOpenReply = z.infer<typeof MaskOpenReplySchema>;

export const MaskReportSchema = z.object({
  count: z.number().int().nonnegative(),
  paths: z.array(z.string()),
  detectors: z.record(z.string(), z.number().int().nonnegative()),
});
export type MaskReport = z.infer<typeof MaskReportSchema>;

/**
 * Headers of the data/end/next exchange; bodies are raw bytes. `end` may carry the response's last
 * bytes (masked as if sent with `data` first), so a small response needs a single exchange.
 */
export const MaskHeaders = Object.freeze({
  op: 'Chaperone-Mask-Op',
  /** The profile of a document masked in one request (maskDocument). */
  profile: 'Chaperone-Mask-Profile',
  more: 'Chaperone-Mask-More',
  /** With `more`: the bytes of output the replica still holds for `next` (a whole number). */
  pending: 'Chaperone-Mask-Pending',
  report: 'Chaperone-Mask-Report',
  error: 'Chaperone-Mask-Error',
});
export const MaskOps = Object.freeze(['data', 'end', 'next'] as const);
/**
 * Asked on a stream's subject while an exchange is slow: the replica answers at once with an
 * empty body and leaves the stream as it is. No responder means the replica holding the stream
 * is gone, and the exchange fails at once instead of after its (long) timeout.
 */
export const MASK_ALIVE_OP = 'alive';
/** Published on a stream's subject when the ingress no longer needs it: the replica drops it, no reply. */
export const MASK_CLOSE_OP = 'close';
export type MaskOp = (typeof MaskOps)[number];

/** Chunk size in both directions: well under NATS's default 1 MB max payload, headers included. */
export const MASK_CHUNK_BYTES = 512 * 1024;

/**
 * The largest document masked in one request: masked on the replica's event loop (its worker
 * threads take far larger ones), so the request's short timeout holds on a healthy replica.
 */
export const MASK_DOCUMENT_MAX_BYTES = 256 * 1024;
