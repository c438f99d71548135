import { z } from 'zod';
import { ApprovalSpecSchema } from './approvals';
import { AgentLimitsSchema } from './agent-registry';

/**
 * Policy effects, ordered from least to most restrictive. When several rules match a request
 * the most restrictive effect wins, so adding a rule can only tighten what another allows.
 */
export const Effects = Object.freeze(['allow', 'mask', 'approve', 'deny'] as const);
export type Effect = (typeof Effects)[number];

/**
 * How much of a request's bodies is kept as evidence, least to most: `metadata` keeps the digest
 * and size of both bodies; `request` also stores the request body; `request-and-response` also the
 * response body as the agent received it (masked). When several rules match, the most recording
 * level wins (like effects, adding a rule never records less).
 */
export const RecordLevels = Object.freeze(['none', 'metadata', 'request', 'request-and-response'] as const);
export type RecordLevel = (typeof RecordLevels)[number];

/** What to do when a body cannot be stored: refuse new requests (fail closed), or spool and store later. */
export const RecordingFailureModes = Object.freeze(['defer', 'refuse'] as const);
export type RecordingFailureMode = (typeof RecordingFailureModes)[number];

/** How bodies are stored when the level stores any: the cap per body, retention, and failure mode. */
export const RecordingSpecSchema = z.object({
  /** Bytes kept per body; a longer body keeps its first bytes, marked truncated with its full size. */
  maxBodyBytes: z.number().int().nonnegative(),
  /** Days a stored body is kept before `chaperone recordings prune` deletes it. */
  retentionDays: z.number().int().positive(),
  onStoreFailure: z.enum(RecordingFailureModes),
});
export type RecordingSpec = z.infer<typeof RecordingSpecSchema>;

export const DEFAULT_RECORDING: RecordingSpec = Object.freeze({ maxBodyBytes: 1024 * 1024, retentionDays: 90, onStoreFailure: 'defer' });

/** Masking profiles, least to most masking; several matching rules → the most masking one wins. */
export const MaskProfiles = Object.freeze(['structural-only', 'default', 'strict'] as const);
export type MaskProfileName = (typeof MaskProfiles)[number];

export const DecisionSchema = z.object({
  effect: z.enum(Effects),
  /** The rule whose effect won; `default-deny` when no rule matched. */
  rule: z.string(),
  /** Content hash of the policy document that decided (sha256:…). */
  policyVersion: z.string(),
  reason: z.string(),
  /** Every rule that matched, in file order, for the evidence trail. */
  matchedRules: z.array(z.string()),
  /** True when any matching rule asks for masking, even if a stricter effect won. */
  mask: z.boolean(),
  /**
   * True only when an allow rule explicitly lets responses through raw. Otherwise every response to
   * a resource request is masked (structural rules and detectors), whatever the effect.
   */
  unmasked: z.boolean(),
  /** The masking profile for the response (when it is masked). */
  maskProfile: z.enum(MaskProfiles),
  /** Which bodies to record (see RecordLevels). */
  record: z.enum(RecordLevels),
  /** Present when `record` stores bodies (`request`, `request-and-response`). */
  recording: RecordingSpecSchema.optional(),
  /** Present iff `effect === 'approve'`: the winning rule's approval terms. */
  approval: ApprovalSpecSchema.optional(),
  /** The agent's registered limits, when it has any: the ingress enforces them (429). */
  limits: AgentLimitsSchema.optional(),
});
export type Decision = z.infer<typeof DecisionSchema>;

export const DEFAULT_DENY_RULE = 'default-deny';
