import { applyRecorded, emptyReadModel, type LegacySnapshot, type ReadModel } from '../read-model';
import { emptySummary, generateHistory } from '../workload/generate-history';

/** A read model folded from a generated history of `events` events (global positions 1..n). */
export function foldedModel(events: number, seed = 3): ReadModel {
  const m = emptyReadModel();
  const revisions = new Map<string, number>();
  let position = 0;
  for (const g of generateHistory({ events, agents: 6, seed, start: new Date('2026-01-01T00:00:00Z'), spanDays: 5, runId: `s${seed}` }, emptySummary())) {
    const revision = (revisions.get(g.stream) ?? -1) + 1;
    revisions.set(g.stream, revision);
    applyRecorded(m, { stream: g.stream, revision, globalPosition: ++position, eventId: g.event.eventId, type: g.event.type, data: g.event.data, metadata: {}, recordedAt: '2026-01-06T00:00:00.000Z' });
  }
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
