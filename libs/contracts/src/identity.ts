import { z } from 'zod';

/** Who made a request, as established by the ingress from a verified OIDC token. */
export const IdentitySchema = z.object({
  /** The token's `sub` claim (issuer-scoped, stable). */
  subject: z.string().min(1),
  /** The Kubernetes user name the upstream cluster sees (Impersonate-User). */
  username: z.string().min(1),
  groups: z.array(z.string()),
  /** The agent's name, from a configurable claim; equals username when the claim is absent. */
  agent: z.string().min(1),
  issuer: z.string(),
});
export type Identity = z.infer<typeof IdentitySchema>;
