import { z } from 'zod';

/**
 * Streams of the evidence event store that are not agent sessions, and the events they hold.
 * Every stream of the store is hash-chained (metadata `prevHash`/`chainHash`, see
 * libs/evidence-chain); these names are fixed so that verifiers and projections find them.
 *
 * | stream           | events                                       | writer                          |
 * |------------------|----------------------------------------------|---------------------------------|
 * | session-<id>     | ChaperoneEvent (events.ts)                   | audit                           |
 * | approval-<id>    | approval lifecycle                           | approval                        |
 * | agent-registry   | AgentRegistered, AgentUpdated, AgentRemoved  | policy (applies the agents file)|
 * | checkpoints      | ChainCheckpointed (chain heads, tree head)   | audit (every replica; one wins) |
 * | recordings       | RecordingsPruned (events.ts)                 | `chaperone recordings prune`    |
 */
export const EvidenceStreams = Object.freeze({
  agentRegistry: 'agent-registry',
  checkpoints: 'checkpoints',
  recordings: 'recordings',
});

/** Type of the event each checkpoint is stored as. */
export const CHAIN_CHECKPOINTED = 'ChainCheckpointed';

export const ChainHeadSchema = z.object({
  revision: z.number().int().nonnegative(),
  hash: z.string().regex(/^sha256:[0-9a-f]{64}$/),
});

/** A signed Merkle tree head of the evidence store (see ChainCheckpointed.treeHead). */
export const TreeHeadSchema = z.object({
  size: z.number().int().nonnegative(),
  rootHash: z.string().regex(/^[0-9a-f]{64}$/),
  timestamp: z.string(),
  keyId: z.string(),
  signature: z.string(),
});
export type TreeHead = z.infer<typeof TreeHeadSchema>;

/**
 * A signed checkpoint (Ed25519 over canonicalJson({ at, heads, keyId })) of the chain heads of
 * every stream that changed since the previous checkpoint, up to global position
 * `throughPosition`. Consecutive checkpoints together cover every stream's head.
 */
export const ChainCheckpointedSchema = z.object({
  type: z.literal(CHAIN_CHECKPOINTED),
  schemaVersion: z.literal(1),
  checkpoint: z.object({
    at: z.string(),
    heads: z.record(z.string(), ChainHeadSchema),
    keyId: z.string(),
    signature: z.string(),
  }),
  /** Store position (inclusive) the heads were read up to; the next checkpoint starts after it. */
  throughPosition: z.number().int().nonnegative(),
  /**
   * The signed Merkle tree head (RFC 9162, libs/merkle-log) of the whole store through
   * `throughPosition`: one leaf per event in global order, `size` events. Signed with the same key,
   * over canonicalJson({ keyId, kind: "chaperone.tree-head/v1", rootHash, size, timestamp }).
   * Absent on checkpoints written before tree heads were kept.
   */
  treeHead: TreeHeadSchema.optional(),
  /** The tree's right edge (its perfect subtrees' roots, largest first), so the next checkpoint extends it. */
  treeFrontier: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(64).optional(),
});
export type ChainCheckpointed = z.infer<typeof ChainCheckpointedSchema>;
