import { z } from 'zod';
import { IdentitySchema } from './identity';
import { DecisionSchema } from './decision';
import { RequestInterceptedSchema } from './events';
import { SelfReviewAnswerSchema, SelfReviewSpecSchema } from './self-review';

/**
 * ingress → policy, request/reply on BusSubjects.policyEvaluate (plain JSON; the reply is EvaluationReply or
 * RpcErrorReply). The request carries the whole RequestIntercepted event: the policy service stores it
 * together with its PolicyDecided in one durable write before it answers, so an admitted request costs
 * the bus one write, not two. The intercept is authenticated (a decision is always about someone).
 * Version 2: version 1 carried the intercept's id and attributes, and the ingress stored the event.
 */
export const EvaluationRequestSchema = z.object({
  schemaVersion: z.literal(2),
  /** The policy service is idempotent by its eventId (the decision's event id is derived from it). */
  intercepted: RequestInterceptedSchema.extend({ identity: IdentitySchema }),
  /** Present when the request creates a self review (kubectl auth can-i): the question, for policy to answer. */
  review: SelfReviewSpecSchema.optional(),
  /**
   * A subject of the caller's where the events stream's acknowledgement of the stored intercept and
   * decision is to be sent. The policy service then publishes them with this reply subject and
   * answers at once, instead of waiting for the acknowledgement and passing it on: one hop less,
   * and the caller still acts only on the server's own acknowledgement. Absent: the policy service
   * waits for it before it answers.
   */
  acknowledgeTo: z
    .string()
    .max(255)
    .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/, 'a NATS subject without wildcards')
    .optional(),
  /**
   * With `acknowledgeTo`: the caller also takes the answer (the EvaluationReply) as one more token
   * of the acknowledgement's subject (`<acknowledgeTo>.<answer>`, see the bus's answerToken),
   * and the policy service then sends no reply of its own when it answers so. One message less
   * per request, and the caller learns the decision no sooner than it is stored.
   */
  answerWithAcknowledgement: z.literal(true).optional(),
});
export type EvaluationRequest = z.infer<typeof EvaluationRequestSchema>;

/** policy → ingress, the reply to EvaluationRequest. */
export const EvaluationReplySchema = z.object({
  schemaVersion: z.literal(1),
  decisionEventId: z.string().min(1),
  decision: DecisionSchema,
  /** The answer to the request's self review; the ingress answers with it and forwards nothing. */
  review: SelfReviewAnswerSchema.optional(),
  /**
   * The request's `acknowledgeTo`, when the intercept and decision were published to be acknowledged
   * there: the caller must wait for that acknowledgement before it acts on the decision. Absent:
   * they are stored (the policy service had the acknowledgement before it answered).
   */
  acknowledgedTo: z.string().optional(),
});
export type EvaluationReply = z.infer<typeof EvaluationReplySchema>;

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
