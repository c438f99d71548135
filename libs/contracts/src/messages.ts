import { z } from 'zod';
import { IdentitySchema } from './identity';
import { RequestInfoSchema } from './request-info';
import { DecisionSchema } from './decision';

/** ingress → policy, request/reply on BusSubjects.policyDecide. */
export const DecideRequestSchema = z.object({
  schemaVersion: z.literal(1),
  /** The RequestIntercepted event this decision answers; the policy service is idempotent by it. */
  interceptEventId: z.string().min(1),
  requestId: z.string().min(1),
  sessionId: z.string().min(1),
  traceId: z.string(),
  identity: IdentitySchema,
  request: RequestInfoSchema,
});
export type DecideRequest = z.infer<typeof DecideRequestSchema>;

/** policy → ingress, the reply to DecideRequest. */
export const DecideReplySchema = z.object({
  schemaVersion: z.literal(1),
  decisionEventId: z.string().min(1),
  decision: DecisionSchema,
});
export type DecideReply = z.infer<typeof DecideReplySchema>;

/**
 * The answer of a plain-JSON request/reply handler that could not do what was asked. The message says
 * what was wrong (a contract violation names the path, never the value) and is safe to show.
 */
export const RpcErrorReplySchema = z.object({
  error: z.object({ message: z.string() }),
});
export type RpcErrorReply = z.infer<typeof RpcErrorReplySchema>;

/** Every service answers a ping on its own health subject (see BusSubjects.health). */
export const HealthReplySchema = z.object({
  service: z.string(),
  instance: z.string(),
  status: z.enum(['ok', 'degraded']),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type HealthReply = z.infer<typeof HealthReplySchema>;
