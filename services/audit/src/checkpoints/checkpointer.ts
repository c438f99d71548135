import { randomUUID, createPublicKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ChainCheckpointedSchema, EvidenceStreams, parseContract, type ChainCheckpointed } from '@chaperone/contracts';
import { keyIdOf } from '@chaperone/evidence-chain';
import { evidenceLeafHash, readEvidenceLog, TreeFrontier } from '@chaperone/merkle-log';
import { WrongExpectedRevision, type EventStore, type ExpectedRevision } from '@chaperone/event-store';
import { EVENT_STORE } from '../tokens';
import { HeadCollector, MAX_HEADS_PER_CHECKPOINT } from './checkpoint-heads';

export const CHECKPOINT_OPTIONS = Symbol('CHECKPOINT_OPTIONS');

export interface CheckpointOptions {
  /** Ed25519 private key; null: checkpoints are off (no key configured). */
  privateKey: KeyObject | null;
  intervalMs: number;
  /** Most heads per checkpoint event; default MAX_HEADS_PER_CHECKPOINT. */
  maxHeads?: number;
  /** Clock and ids, injected for tests. */
  now?: () => Date;
  newId?: () => string;
}

export type CheckpointOutcome = { outcome: 'stored'; checkpoints: number; throughPosition: number } | { outcome: 'nothing-new' } | { outcome: 'lost-race' };

const PAGE = 5000;

/**
 * Periodically signs the heads of every chain that moved since the last checkpoint and appends the
 * checkpoint to the `checkpoints` stream (itself chained). Every audit replica runs it; each
 * appends with the exact revision of the checkpoint it started from, so when two race, the store
 * refuses the second and that replica skips this round: checkpoints never conflict or overlap.
 * Each checkpoint covers the events after the previous one's `throughPosition`, so together they
 * vouch for every chain's head. Each also carries the signed Merkle tree head of the whole store
 * through its position, and the tree's right edge, from which the next one continues: `chaperone
 * proof` proves against these stored heads.
 */
@Injectable()
export class Checkpointer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(Checkpointer.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;
  private readonly keyId: string | undefined;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CHECKPOINT_OPTIONS) private readonly opts: CheckpointOptions,
  ) {
    this.keyId = opts.privateKey ? keyIdOf(createPublicKey(opts.privateKey)) : undefined;
  }

  onApplicationBootstrap(): void {
    if (!this.opts.privateKey) {
      this.logger.warn('no CHAPERONE_CHECKPOINT_KEY_FILE: chain heads are not checkpointed (signed); verify can still recompute every chain');
      return;
    }
    this.logger.log(`signing chain checkpoints every ${this.opts.intervalMs / 1000} s with key ${this.keyId}`);
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then((r) => {
          if (r.outcome === 'stored') this.logger.log(`checkpointed chain heads through store position ${r.throughPosition}`);
        })
        .catch((err: unknown) => this.logger.warn(`checkpoint not written (next try in ${this.opts.intervalMs / 1000} s): ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => this.schedule());
    }, this.opts.intervalMs);
    this.timer.unref();
  }

  /** One round: gather the heads that moved since the last checkpoint, sign, append. */
  async runOnce(): Promise<CheckpointOutcome> {
    const privateKey = this.opts.privateKey;
    if (!privateKey || !this.keyId) return { outcome: 'nothing-new' };
    const now = this.opts.now ?? (() => new Date());
    const newId = this.opts.newId ?? randomUUID;
    const stream = EvidenceStreams.checkpoints;
    const last = await this.store.readLastEvent(stream);
    let expected: ExpectedRevision = last ? last.revision : 'no_stream';
    const previous = last ? parseContract(ChainCheckpointedSchema, 'ChainCheckpointed', last.data) : undefined;
    const heads = new HeadCollector(previous?.throughPosition ?? 0, await this.frontierAfter(previous));
    let stored = 0;
    const flush = async (): Promise<boolean> => {
      const event = heads.take({ privateKey, keyId: this.keyId as string }, now, newId);
      try {
        expected = (await this.store.append(stream, [event], { expectedRevision: expected })).nextExpectedRevision;
        stored++;
        return true;
      } catch (err) {
        if (err instanceof WrongExpectedRevision) return false; // another replica checkpointed first
        throw err;
      }
    };
    let from = heads.throughPosition + 1;
    for (;;) {
      const page = await this.store.readAll({ fromPosition: from, maxCount: PAGE });
      for (const event of page) {
        // Cut only between positions: a store may give one append's events one position.
        if (heads.size >= (this.opts.maxHeads ?? MAX_HEADS_PER_CHECKPOINT) && heads.startsNewPosition(event) && !(await flush())) return { outcome: 'lost-race' };
        heads.add(event);
      }
      if (page.length < PAGE) break;
      // Re-read the last position (adding a head twice is harmless) so none of its events is skipped.
      from = heads.throughPosition;
    }
    if (heads.size > 0 && !(await flush())) return { outcome: 'lost-race' };
    return stored > 0 ? { outcome: 'stored', checkpoints: stored, throughPosition: heads.throughPosition } : { outcome: 'nothing-new' };
  }

  /**
   * The tree through the previous checkpoint: its stored right edge, or, for a checkpoint written
   * before tree heads were kept, rebuilt once from the start of the store (O(n), logged).
   */
  private async frontierAfter(previous: ChainCheckpointed | undefined): Promise<TreeFrontier> {
    if (!previous) return TreeFrontier.empty();
    if (previous.treeHead && previous.treeFrontier) {
      const frontier = TreeFrontier.fromHex(previous.treeHead.size, previous.treeFrontier);
      if (frontier.rootHash().toString('hex') !== previous.treeHead.rootHash) throw new Error('the last checkpoint\'s tree frontier does not give its tree head');
      return frontier;
    }
    this.logger.log(`the last checkpoint has no tree head: building the Merkle tree of the store through position ${previous.throughPosition} once`);
    const frontier = TreeFrontier.empty();
    await readEvidenceLog(
      { readAll: (o) => this.store.readAll(o).then((page) => page.filter((e) => e.globalPosition <= previous.throughPosition)) },
      { onLeaf: (e) => frontier.appendLeafHash(evidenceLeafHash(e)) },
    );
    return frontier;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }
}
