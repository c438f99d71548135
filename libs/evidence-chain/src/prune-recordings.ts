import { EvidenceStreams, MAX_PRUNED_BODIES_PER_EVENT, RecordingsPrunedSchema, parseContract, type RecordingsPruned } from '@chaperone/contracts';
import type { ExpiredBody, PrunePlan } from './recordings-retention';

/** The part of a blob store a prune uses (the BlobStore port fits): true when the blob was there. */
export interface BlobDeleter {
  delete(digest: string): Promise<boolean>;
}

/** The part of the (hash-chaining) evidence store a prune writes through. */
export interface EvidenceAppender {
  append(stream: string, events: { eventId: string; type: string; data: unknown }[]): Promise<unknown>;
}

export interface PruneOutcome {
  runId: string;
  /** The RecordingsPruned events appended, in order. */
  events: RecordingsPruned[];
  deleted: number;
  absent: number;
  kept: number;
  bodies: number;
}

type Blob = RecordingsPruned['payload']['blobs'][number];

/**
 * Carries out a prune plan: deletes each blob of `plan.delete`, then records the bodies and what
 * became of their blobs as RecordingsPruned events in the `recordings` stream. A blob and all of
 * its expired bodies go in the same event (an event lists at most MAX_PRUNED_BODIES_PER_EVENT
 * bodies; a blob named by more spans several, its outcome in each). Deletions come before the
 * event that reports them, so an event never claims a deletion that did not happen. If a deletion
 * fails, the bodies already handled are recorded and the error is rethrown; a blob deleted but not
 * yet recorded (a crash in between) is found expired again by the next prune, which records it as
 * `absent`.
 */
export async function pruneRecordings(
  plan: PrunePlan,
  deps: { blobs: BlobDeleter; store: EvidenceAppender; newId: () => string; now: () => Date },
): Promise<PruneOutcome> {
  const runId = deps.newId();
  const outcome: PruneOutcome = { runId, events: [], deleted: 0, absent: 0, kept: 0, bodies: 0 };
  const toDelete = new Set(plan.delete);
  const keptFor = new Map(plan.keep.map((k) => [k.digest, k.keptFor]));
  const groups = new Map<string, ExpiredBody[]>();
  for (const e of plan.expired) {
    const list = groups.get(e.ref.storedDigest);
    if (list) list.push(e);
    else groups.set(e.ref.storedDigest, [e]);
  }

  let bodies: ExpiredBody[] = [];
  let blobs: Blob[] = [];
  // Built once per batch, so a retried append re-sends the same event id (the store deduplicates).
  let pending: RecordingsPruned | undefined;
  const flush = async () => {
    if (bodies.length === 0) return;
    pending ??= prunedEvent(runId, deps, plan.asOf, bodies, blobs);
    await deps.store.append(EvidenceStreams.recordings, [{ eventId: pending.eventId, type: pending.type, data: pending }]);
    outcome.events.push(pending);
    outcome.bodies += bodies.length;
    pending = undefined;
    bodies = [];
    blobs = [];
  };

  let failure: unknown;
  try {
    for (const [digest, expired] of groups) {
      let blob: Blob;
      if (toDelete.has(digest)) {
        const wasThere = await deps.blobs.delete(digest);
        blob = { digest, outcome: wasThere ? 'deleted' : 'absent' };
        if (wasThere) outcome.deleted++;
        else outcome.absent++;
      } else {
        blob = { digest, outcome: 'kept', ...(keptFor.has(digest) ? { keptFor: keptFor.get(digest) as string } : {}) };
        outcome.kept++;
      }
      for (let i = 0; i < expired.length; i += MAX_PRUNED_BODIES_PER_EVENT) {
        const part = expired.slice(i, i + MAX_PRUNED_BODIES_PER_EVENT);
        if (bodies.length + part.length > MAX_PRUNED_BODIES_PER_EVENT) await flush();
        bodies.push(...part);
        blobs.push(blob);
      }
    }
  } catch (e) {
    failure = e;
  }
  // Whatever was deleted is recorded, also when a later deletion failed.
  await flush();
  if (failure !== undefined) throw failure;
  return outcome;
}

function prunedEvent(runId: string, deps: { newId: () => string; now: () => Date }, asOf: string, bodies: ExpiredBody[], blobs: Blob[]): RecordingsPruned {
  return parseContract(RecordingsPrunedSchema, 'RecordingsPruned', {
    eventId: deps.newId(),
    schemaVersion: 1,
    type: 'RecordingsPruned',
    time: deps.now().toISOString(),
    requestId: runId,
    sessionId: '',
    traceId: runId,
    identity: null,
    payload: {
      asOf,
      bodies: bodies.map((b) => ({
        requestId: b.ref.requestId,
        sessionId: b.ref.sessionId,
        eventId: b.ref.eventId,
        field: b.ref.field,
        storedDigest: b.ref.storedDigest,
        completedAt: b.ref.time,
        retentionDays: b.retentionDays,
      })),
      blobs,
    },
  });
}
