import { Logger } from '@nestjs/common';
import { WrongExpectedRevision, type EventStore } from '@chaperone/event-store';
import { approvalStream } from '@chaperone/contracts';
import { decide, evolveAll, type ApprovalLifecycleCommand, type ApprovalLifecycleEvent } from '../approvals';
import type { Clock, NewId } from '../tokens';
import { loadApproval, type LoadedApproval } from './approval-streams';
import type { ApprovalReadModel, KnownApproval } from './read-model';

/** What one command stored. */
export interface Stored {
  approvalId: string;
  events: ApprovalLifecycleEvent[];
  state: KnownApproval;
  revision: number;
}

export type StoredListener = (stored: Stored) => void;

/** Several replicas racing on one approval: after this many lost races, give up (never seen in practice). */
const MAX_ATTEMPTS = 10;

/**
 * Runs lifecycle commands: read the approval's stream, decide, append with the exact expected
 * revision. Two replicas deciding at once cannot both write: the loser gets WrongExpectedRevision,
 * re-reads and decides again on the new state (and typically learns it is already decided).
 * Listeners run only on the replica whose append succeeded, so each stored event is announced
 * (bus hint, webhook) once.
 */
export class ApprovalLifecycle {
  private readonly logger = new Logger('ApprovalLifecycle');
  private readonly listeners: StoredListener[] = [];

  constructor(
    private readonly store: EventStore,
    private readonly readModel: ApprovalReadModel,
    private readonly clock: Clock,
    private readonly newId: NewId,
  ) {}

  onStored(listener: StoredListener): void {
    this.listeners.push(listener);
  }

  load(approvalId: string): Promise<LoadedApproval> {
    return loadApproval(this.store, approvalId);
  }

  /** Decide and store; throws the ApprovalError `decide` raised, or the store's error. */
  async run(command: ApprovalLifecycleCommand): Promise<Stored> {
    const approvalId = command.data.approvalId;
    for (let attempt = 1; ; attempt++) {
      const { state, revision } = await this.load(approvalId);
      const events = decide(command, state, { now: this.clock() });
      try {
        const result = await this.store.append(
          approvalStream(approvalId),
          events.map((event) => ({ eventId: this.newId(), type: event.type, data: event.data })),
          { expectedRevision: revision === -1 ? 'no_stream' : revision },
        );
        const next = evolveAll(events, state);
        if (next.status === 'none') throw new Error(`approval ${approvalId}: stored events left no state`);
        const stored: Stored = { approvalId, events, state: next, revision: result.nextExpectedRevision };
        this.readModel.set(approvalId, next, stored.revision);
        for (const listener of this.listeners) {
          try {
            listener(stored);
          } catch (e) {
            this.logger.error(`after storing ${events.map((ev) => ev.type).join(',')}: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
        return stored;
      } catch (e) {
        if (e instanceof WrongExpectedRevision && attempt < MAX_ATTEMPTS) continue;
        throw e;
      }
    }
  }
}
