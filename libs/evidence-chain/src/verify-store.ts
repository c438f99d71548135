import { CHAIN_CHECKPOINTED, EvidenceStreams } from '@chaperone/contracts';
import type { Checkpoint, KeyInput } from './checkpoint';
import { verifyChains, type Problem, type RecordedEventLike, type VerificationReport } from './verify';

/** The part of an event store `verifyStore` reads (the EventStore port of @chaperone/event-store fits). */
export interface EvidenceReader {
  readAll(opts?: { fromPosition?: number; maxCount?: number }): Promise<Array<RecordedEventLike & { globalPosition: number }>>;
}

export interface VerifyStoreOptions {
  /** Ed25519 public key (KeyObject or SPKI PEM) the checkpoints must be signed with. */
  publicKey: KeyInput;
  /** Events per readAll page; default 5000. */
  pageSize?: number;
}

export interface StoreVerificationReport extends VerificationReport {
  /** Checkpoint events found in the `checkpoints` stream (each verified). */
  checkpoints: number;
  /** Time of the newest checkpoint, if any. */
  lastCheckpointAt?: string;
  /** Global position of the last event read: what the report covers. */
  throughPosition: number;
  /** When the verification ran (RFC 3339). */
  verifiedAt: string;
}

/**
 * Reads every event of the store (readAll, in pages), recomputes every stream's hash chain and
 * checks every checkpoint of the `checkpoints` stream: its signature, and that the heads it signed
 * are still what the stored events yield. Problems name the stream, revision and event id (see
 * `Problem`; only the first broken link of a stream is reported, since every later link depends
 * on it). Holds the store's events in memory while it runs.
 */
export async function verifyStore(store: EvidenceReader, opts: VerifyStoreOptions): Promise<StoreVerificationReport> {
  const pageSize = opts.pageSize ?? 5000;
  const streams: Record<string, RecordedEventLike[]> = {};
  const checkpoints: Checkpoint[] = [];
  let lastCheckpointAt: string | undefined;
  let from = 0;
  let throughPosition = 0;
  // Some stores (EventStoreDB) give the events of one append one position: re-read the last
  // position of a page and skip what was already seen there.
  let seenAtLast = new Set<string>();
  for (;;) {
    const page = await store.readAll({ fromPosition: from, maxCount: pageSize });
    let fresh = 0;
    for (const e of page) {
      if (e.globalPosition === from && seenAtLast.has(e.eventId)) continue;
      fresh++;
      if (e.globalPosition !== throughPosition) seenAtLast = new Set();
      seenAtLast.add(e.eventId);
      throughPosition = e.globalPosition;
      const slim: RecordedEventLike = { stream: e.stream, revision: e.revision, eventId: e.eventId, type: e.type, data: e.data, metadata: e.metadata };
      (streams[e.stream] ??= []).push(slim);
      if (e.stream === EvidenceStreams.checkpoints && e.type === CHAIN_CHECKPOINTED) {
        const cp = (e.data as { checkpoint?: Checkpoint } | null)?.checkpoint;
        // A malformed checkpoint still counts: verifyChains reports it as a bad signature.
        checkpoints.push(cp ?? ({} as Checkpoint));
        if (typeof cp?.at === 'string') lastCheckpointAt = cp.at;
      }
    }
    if (page.length < pageSize || fresh === 0) break;
    from = throughPosition;
  }
  const report = verifyChains(streams, checkpoints, opts.publicKey);
  return {
    ...report,
    checkpoints: checkpoints.length,
    ...(lastCheckpointAt ? { lastCheckpointAt } : {}),
    throughPosition,
    verifiedAt: new Date().toISOString(),
  };
}

/** One line an auditor can read for a problem. */
export function describeProblem(p: Problem): string {
  switch (p.kind) {
    case 'broken-link':
      return `${p.stream}@${p.revision} (event ${p.eventId}): content does not match its recorded hash (recorded ${p.expected}, content yields ${p.actual}): altered, or not written through the chain`;
    case 'missing':
      return `${p.stream}@${p.revision}${p.count > 1 ? `..${p.revision + p.count - 1}` : ''}: ${p.count} event(s) missing before event ${p.nextEventId}`;
    case 'reordered':
      return `${p.stream}@${p.revision} (event ${p.eventId}): out of order (stored at another position, duplicated, or not linked to the event before it)`;
    case 'bad-signature':
      return `checkpoint at ${p.checkpointAt}: signature does not verify with the given public key`;
    case 'head-mismatch':
      return `${p.stream}@${p.checkpointRevision}: the checkpoint of ${p.checkpointAt} signed ${p.expected}, the stored events yield ${p.actual}: rewritten after the checkpoint`;
    case 'truncated':
      return `${p.stream}: the checkpoint of ${p.checkpointAt} covers revision ${p.checkpointRevision}, the stream ends at ${p.actualLastRevision}: events removed`;
    default: {
      const unhandled: never = p;
      return `unknown problem ${JSON.stringify(unhandled)}`;
    }
  }
}
