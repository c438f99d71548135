import { z } from 'zod';

/** A body the gateway saw, identified by its SHA-256 over every byte (the content itself is kept elsewhere, if at all). */
export const BodyDigestSchema = z.object({
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
});
export type BodyDigest = z.infer<typeof BodyDigestSchema>;
