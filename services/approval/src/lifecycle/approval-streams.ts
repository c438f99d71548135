import type { EventStore, RecordedEvent } from '@chaperone/event-store';
import { APPROVAL_STREAM_PREFIX, ApprovalLifecycleEventSchema, approvalStream, parseContract } from '@chaperone/contracts';
import { evolveAll, initialState, type ApprovalLifecycleEvent, type ApprovalState } from '../approvals';

/** One approval as its stream says: its state and the revision of its last event (-1: no stream). */
export interface LoadedApproval {
  approvalId: string;
  state: ApprovalState;
  revision: number;
}

/** The approval id of an approval stream's name; undefined for any other stream. */
export function approvalIdOf(stream: string): string | undefined {
  return stream.startsWith(APPROVAL_STREAM_PREFIX) ? stream.slice(APPROVAL_STREAM_PREFIX.length) : undefined;
}

/** A stored event, validated on the way in (the store is shared; fail closed on anything unexpected). */
export function lifecycleEventOf(recorded: RecordedEvent): ApprovalLifecycleEvent {
  return parseContract(ApprovalLifecycleEventSchema, `${recorded.stream}@${recorded.revision}`, {
    type: recorded.type,
    data: recorded.data,
  });
}

/** Reads one approval's stream and folds it: the event store is the truth, read fresh for every command. */
export async function loadApproval(store: EventStore, approvalId: string): Promise<LoadedApproval> {
  const recorded = await store.readStream(approvalStream(approvalId));
  const events = recorded.map(lifecycleEventOf);
  return { approvalId, state: evolveAll(events, initialState), revision: recorded.at(-1)?.revision ?? -1 };
}
