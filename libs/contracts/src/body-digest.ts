import { z } from 'zod';

/** A body the gateway saw, identified by its SHA-256 over every byte (the content itself is kept elsewhere, if at all). */
export const BodyDigestSchema = z.object({
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
});
export type BodyDigest = z.infer<typeof BodyDigestSchema>;

/**
 * A body the gateway saw and, where the policy says so, stored in the blob store. `digest`/`size`
 * always describe the whole body; `stored` names the blob actually kept (its own content address:
 * the whole body, or its first bytes when `truncated`). A `timed` blob holds a stream (watch,
 * `logs -f`) as timed chunks, one JSON line `[millisecondsFromStart, "text"]` each.
 */
export const RecordedBodySchema = BodyDigestSchema.extend({
  stored: z
    .object({
      digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
      size: z.number().int().nonnegative(),
      truncated: z.boolean(),
      timed: z.boolean().optional(),
    })
    .optional(),
});
export type RecordedBody = z.infer<typeof RecordedBodySchema>;
