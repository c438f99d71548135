import type { RecordedEvent } from '@chaperone/event-store';
import { applyRecorded, emptyReadModel, type LegacySnapshot, type ReadModel } from '../read-model';
import { emptySummary, generateHistory, type WorkloadOptions } from '../workload/generate-history';

/** A generated history as the store would return it: global positions 1..n, revisions per stream. */
export function recordedHistory(o: WorkloadOptions): RecordedEvent[] {
  const out: RecordedEvent[] = [];
  const revisions = new Map<string, number>();
  for (const g of generateHistory(o, emptySummary())) {
    const revision = (revisions.get(g.stream) ?? -1) + 1;
    revisions.set(g.stream, revision);
    out.push({ stream: g.stream, revision, globalPosition: out.length + 1, eventId: g.event.eventId, type: g.event.type, data: g.event.data, metadata: {}, recordedAt: o.start.toISOString() });
  }
  return out;
}

/** A read model folded from a generated history of `events` events. */
export function foldedModel(events: number, seed = 3, o: Partial<Omit<WorkloadOptions, 'events' | 'seed'>> = {}): ReadModel {
  const m = emptyReadModel();
  for (const e of recordedHistory({ events, seed, agents: 6, start: new Date('2026-01-01T00:00:00Z'), spanDays: 5, runId: `s${seed}`, ...o })) applyRecorded(m, e);
  return m;
}

/** The single-document snapshot earlier versions wrote, as they wrote it. */
export function legacySnapshotOf(m: ReadModel): LegacySnapshot {
  return {
    schema: m.schema,
    position: m.position,
    atPosition: m.atPosition,
    applied: m.applied,
    sessions: [...m.sessions],
    requests: [...m.requests],
    approvals: [...m.approvals],
    approvalByRequest: [...m.approvalByRequest],
    agents: [...m.agents],
    registry: m.registry,
    authFailures: m.authFailures,
    orphanApprovalEvents: m.orphanApprovalEvents,
    invalid: m.invalid,
    otherTypes: [...m.otherTypes],
  };
}
