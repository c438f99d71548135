import { z } from 'zod';
import { IdentitySchema } from './identity';
import { RequestInfoSchema } from './request-info';
import {
  ApprovalRequestAttributesSchema,
  ApprovalSpecSchema,
  ApprovalStatuses,
  ApproverSchema,
  CancelReasons,
  MaskedBodySchema,
  MaskedTextSchema,
  RequesterSchema,
} from './approvals';

/**
 * Gateway ↔ approval service, request/reply on BusSubjects.approval* (queue group `<p>-approval`).
 * The approval service stores the lifecycle event BEFORE it replies: a reply means it is durable.
 */

const FINGERPRINT = z.string().regex(/^sha256:[0-9a-f]{64}$/);

/** Masked texts are capped at 256 KiB by the gateway (a little slack for multi-byte characters). */
export const MASKED_TEXT_CAP_BYTES = 256 * 1024;

/** Any subject's failure reply. `message` never contains a token or a secret value. */
export const ApprovalErrorCodes = Object.freeze(['invalid', 'not-found', 'conflict', 'unavailable', 'internal'] as const);
export type ApprovalErrorCode = (typeof ApprovalErrorCodes)[number];
export const ApprovalErrorReplySchema = z.object({
  error: z.object({ code: z.enum(ApprovalErrorCodes), message: z.string() }),
});
export type ApprovalErrorReply = z.infer<typeof ApprovalErrorReplySchema>;

/** gateway → approval: hold this request for approval (or run it, if an identical one was granted). */
export const OpenApprovalSchema = z.object({
  schemaVersion: z.literal(1),
  requestId: z.string().min(1),
  sessionId: z.string().min(1),
  traceId: z.string(),
  interceptEventId: z.string().min(1),
  decisionEventId: z.string().min(1),
  /** The requester (agent). */
  identity: IdentitySchema,
  request: RequestInfoSchema,
  method: z.string().min(1),
  path: z.string().min(1),
  query: z.string(),
  /** `requestFingerprint(...)`: both sides compute it with the same function. */
  requestFingerprint: FINGERPRINT,
  /** X-Chaperone-Reason ('' when absent). */
  reason: z.string(),
  rule: z.string().min(1),
  /** With `mode` already resolved for this request. */
  spec: ApprovalSpecSchema,
  requestBody: MaskedBodySchema.optional(),
  /** The current object (GET by the gateway) for update/patch/apply, masked. */
  liveObject: MaskedTextSchema.optional(),
});
export type OpenApproval = z.infer<typeof OpenApprovalSchema>;

export const OpenApprovalReplySchema = z.discriminatedUnion('outcome', [
  /** Ticket retry of an identical request with an unused, unexpired grant: already claimed (ApprovalExecuted stored). */
  z.object({ outcome: z.literal('run'), approvalId: z.string().min(1) }),
  /** A new approval (`created`), or the same identical pending one. */
  z.object({
    outcome: z.literal('pending'),
    approvalId: z.string().min(1),
    expiresAt: z.string(),
    created: z.boolean(),
    /** The approvers-API link of this approval, as the approval service knows its public URL. */
    url: z.string().optional(),
  }),
  z.object({ outcome: z.literal('refused'), code: z.enum(['reason-required', 'invalid']), message: z.string() }),
]);
export type OpenApprovalReply = z.infer<typeof OpenApprovalReplySchema>;

/** gateway → approval: the grant is about to be used for this request (hold: after the grant; ticket: on retry). */
export const ClaimGrantSchema = z.object({
  schemaVersion: z.literal(1),
  approvalId: z.string().min(1),
  requestId: z.string().min(1),
  requestFingerprint: FINGERPRINT,
});
export type ClaimGrant = z.infer<typeof ClaimGrantSchema>;

export const ClaimGrantReplySchema = z.discriminatedUnion('outcome', [
  /** ApprovalExecuted is stored: forward the request, once. */
  z.object({ outcome: z.literal('run') }),
  /** `reason`: the denial reason, or why the grant cannot be used (expired grant, already used, other request…). */
  z.object({ outcome: z.literal('not-granted'), status: z.enum(ApprovalStatuses), reason: z.string() }),
]);
export type ClaimGrantReply = z.infer<typeof ClaimGrantReplySchema>;

export const GetApprovalSchema = z.object({ schemaVersion: z.literal(1), approvalId: z.string().min(1) });
export type GetApproval = z.infer<typeof GetApprovalSchema>;

export const ApprovalVoteSchema = z.object({ approver: ApproverSchema, reason: z.string(), at: z.string() });

export const ApprovalViewSchema = z.object({
  approvalId: z.string(),
  status: z.enum(ApprovalStatuses),
  rule: z.string(),
  requester: RequesterSchema,
  request: ApprovalRequestAttributesSchema,
  /** The agent's justification. */
  reason: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  votes: z.array(ApprovalVoteSchema),
  /** Who settled it (the approvers of a grant, or the denier). */
  decidedBy: z.array(ApproverSchema).optional(),
  /** The denial reason, or the deciding approver's reason for a grant. */
  decisionReason: z.string().optional(),
  grantExpiresAt: z.string().optional(),
  // Optional additions: the mode and the N-of-M terms, so a waiting gateway can explain.
  mode: z.enum(['hold', 'ticket']).optional(),
  requiredApprovals: z.number().int().optional(),
});
export type ApprovalView = z.infer<typeof ApprovalViewSchema>;

export const CancelApprovalSchema = z.object({
  schemaVersion: z.literal(1),
  approvalId: z.string().min(1),
  why: z.enum(CancelReasons),
});
export type CancelApproval = z.infer<typeof CancelApprovalSchema>;

export const CancelApprovalReplySchema = z.object({ ok: z.literal(true) });
export type CancelApprovalReply = z.infer<typeof CancelApprovalReplySchema>;

/** Published on BusSubjects.approvalChanged(id) after any lifecycle event is stored. A hint: poll `get` too. */
export const ApprovalChangedSchema = z.object({ approvalId: z.string().min(1), status: z.enum(ApprovalStatuses) });
export type ApprovalChanged = z.infer<typeof ApprovalChangedSchema>;
