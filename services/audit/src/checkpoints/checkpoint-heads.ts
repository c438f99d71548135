import { CHAIN_CHECKPOINTED, EvidenceStreams, type ChainCheckpointed } from '@chaperone/contracts';
import { CHAIN_HASH_KEY, chainHeadOf, isChainHash, signCheckpoint, type ChainHead, type SignCheckpointOptions } from '@chaperone/evidence-chain';
import type { NewEvent, RecordedEvent } from '@chaperone/event-store';
import { evidenceLeafHash, signTreeHead, type TreeFrontier } from '@chaperone/merkle-log';

/** Most heads one checkpoint event carries: keeps it far below NATS's 1 MB message limit. */
export const MAX_HEADS_PER_CHECKPOINT = 2000;

/**
 * The heads of the chains that moved since the last checkpoint, gathered from the store's global
 * order. The checkpoints stream itself is left out of the chain heads: it is chained like every
 * stream, and including it would make every checkpoint produce the next one.
 *
 * Every event read (checkpoints included) is also a leaf of the store's Merkle tree, in the order
 * `chaperone proof` reads them, so each checkpoint carries the signed head of the tree through its
 * position. An event read twice at the same position (a page boundary re-read) is one leaf.
 */
export class HeadCollector {
  private heads = new Map<string, ChainHead>();
  private position: number;
  private seenAtPosition = new Set<string>();

  constructor(
    throughPosition: number,
    private readonly tree: TreeFrontier,
  ) {
    this.position = throughPosition;
  }

  get throughPosition(): number {
    return this.position;
  }
  get size(): number {
    return this.heads.size;
  }

  /** True when `event` starts a new global position (a checkpoint may be cut before it). */
  startsNewPosition(event: RecordedEvent): boolean {
    return event.globalPosition !== this.position;
  }

  add(event: RecordedEvent): void {
    if (event.globalPosition !== this.position) this.seenAtPosition = new Set();
    this.position = event.globalPosition;
    if (this.seenAtPosition.has(event.eventId)) return;
    this.seenAtPosition.add(event.eventId);
    this.tree.appendLeafHash(evidenceLeafHash(event));
    if (event.stream === EvidenceStreams.checkpoints) return;
    // Events written before chaining carry no link: nothing to vouch for.
    if (!isChainHash(event.metadata[CHAIN_HASH_KEY])) return;
    this.heads.set(event.stream, chainHeadOf(event));
  }

  /** The signed checkpoint event for what was gathered (chain heads and tree head), and a fresh start after it. */
  take(sign: Omit<SignCheckpointOptions, 'now'>, now: () => Date, newId: () => string): NewEvent {
    const checkpoint = signCheckpoint(Object.fromEntries(this.heads), { ...sign, now });
    const treeHead = signTreeHead({ size: this.tree.size, rootHash: this.tree.rootHash() }, { privateKey: sign.privateKey, keyId: sign.keyId, now });
    this.heads = new Map();
    const data: ChainCheckpointed = { type: CHAIN_CHECKPOINTED, schemaVersion: 1, checkpoint, throughPosition: this.position, treeHead, treeFrontier: this.tree.toHex() };
    return { eventId: newId(), type: CHAIN_CHECKPOINTED, data };
  }
}
