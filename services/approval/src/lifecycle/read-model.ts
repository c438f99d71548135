import { Logger } from '@nestjs/common';
import type { EventStore, RecordedEvent } from '@chaperone/event-store';
import { evolve, type ApprovalState } from '../approvals';
import { approvalIdOf, lifecycleEventOf, loadApproval } from './approval-streams';
import { RequestedOrder, type Place } from './requested-order';

export type KnownApproval = Exclude<ApprovalState, { status: 'none' }>;

interface Entry {
  state: KnownApproval;
  revision: number;
}

/**
 * The masked body and live object (up to 256 KiB each) stay in the stream: only `show` needs them,
 * and it reads the stream. The read model holds every approval ever made, so it keeps them small.
 */
function withoutReviewTexts(state: KnownApproval): KnownApproval {
  const { maskedBody: _body, liveObject: _live, ...terms } = state.terms;
  return { ...state, terms };
}

type Listener = (approvalId: string, state: KnownApproval) => void;

/**
 * Every approval this replica knows of, folded from the event store. Each replica keeps its own
 * copy, fed by a catch-up subscription (so it also sees what other replicas stored) and by its own
 * appends (so it reads its writes at once). It serves lists, views and timers; commands never trust
 * it and re-read the stream instead.
 */
export class ApprovalReadModel {
  private readonly logger = new Logger('ApprovalReadModel');
  private readonly entries = new Map<string, Entry>();
  private readonly byFingerprint = new Map<string, string[]>();
  private readonly listeners: Listener[] = [];
  /** Oldest first: every approval, and the pending ones alone (the inbox's first page reads only those). */
  private readonly every = new RequestedOrder();
  private readonly pending = new RequestedOrder();

  constructor(private readonly store: EventStore) {}

  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  get(approvalId: string): KnownApproval | undefined {
    return this.entries.get(approvalId)?.state;
  }

  all(): KnownApproval[] {
    return [...this.entries.values()].map((e) => e.state);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Approvals in the order they were requested: the pending ones, or all of them. */
  ordered(which: 'pending' | 'all'): RequestedOrder {
    return which === 'pending' ? this.pending : this.every;
  }

  /** Ids of approvals of this requester for this exact request, newest first. */
  sameRequest(requesterSubject: string, requestFingerprint: string): string[] {
    return [...(this.byFingerprint.get(`${requesterSubject}\n${requestFingerprint}`) ?? [])].reverse();
  }

  /** A stored event, from the subscription: applied in stream order; a gap is filled by re-reading. */
  async applyRecorded(recorded: RecordedEvent): Promise<void> {
    const approvalId = approvalIdOf(recorded.stream);
    if (approvalId === undefined) return;
    const entry = this.entries.get(approvalId);
    const known = entry?.revision ?? -1;
    if (recorded.revision <= known) return;
    if (recorded.revision !== known + 1) {
      const loaded = await loadApproval(this.store, approvalId);
      if (loaded.state.status !== 'none') this.set(approvalId, loaded.state, loaded.revision);
      return;
    }
    try {
      const state = evolve(entry?.state ?? { status: 'none' }, lifecycleEventOf(recorded));
      if (state.status !== 'none') this.set(approvalId, state, recorded.revision);
    } catch (e) {
      // A corrupt stream is not served from memory; commands on it fail when they re-read it.
      this.logger.error(`approval ${approvalId} dropped from the read model: ${e instanceof Error ? e.message : String(e)}`);
      if (entry) this.unlist(entry.state);
      this.entries.delete(approvalId);
    }
  }

  /** What this replica just stored: newer than anything known, or ignored. */
  set(approvalId: string, state: KnownApproval, revision: number): void {
    const entry = this.entries.get(approvalId);
    if (entry && entry.revision >= revision) return;
    this.entries.set(approvalId, { state: withoutReviewTexts(state), revision });
    const place = placeOf(state);
    this.every.add(place);
    if (state.status === 'pending') this.pending.add(place);
    else this.pending.delete(place);
    if (!entry) {
      const key = `${state.terms.requester.subject}\n${state.terms.requestFingerprint}`;
      this.byFingerprint.set(key, [...(this.byFingerprint.get(key) ?? []), approvalId]);
    }
    for (const listener of this.listeners) listener(approvalId, state);
  }

  private unlist(state: KnownApproval): void {
    this.every.delete(placeOf(state));
    this.pending.delete(placeOf(state));
  }
}

const placeOf = (state: KnownApproval): Place => ({ requestedAt: state.terms.requestedAt, approvalId: state.terms.approvalId });
