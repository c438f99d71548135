import { CHAIN_CHECKPOINTED, EvidenceStreams } from '@chaperone/contracts';
import { readAllPages } from './read-all-pages';
import { CHAIN_HASH_KEY, GENESIS, isChainHash, linkHash, PREV_HASH_KEY } from './chain';
import type { Checkpoint, KeyInput } from './checkpoint';
import { CompletenessTracker, type CompletenessOptions, type CompletenessReport } from './completeness';
import {
  checkCheckpoints,
  checkpointKeys,
  verifyStreamEvents,
  type Problem,
  type RecordedEventLike,
  type StreamChainState,
  type VerificationReport,
} from './verify';

/** The part of an event store `verifyStore` reads (the EventStore port of @chaperone/event-store fits). */
export interface EvidenceReader {
  readAll(opts?: { fromPosition?: number; maxCount?: number }): Promise<Array<RecordedEventLike & { globalPosition: number }>>;
  readStream(stream: string): Promise<RecordedEventLike[]>;
}

export interface VerifyStoreOptions {
  /**
   * Ed25519 public key (KeyObject or SPKI PEM) the checkpoints must be signed with; during a key
   * rotation, the list of keys (each checkpoint is checked with the one its keyId names).
   */
  publicKey: KeyInput | readonly KeyInput[];
  /** Events per readAll page; default 5000. */
  pageSize?: number;
  /**
   * The completeness pass (every request let through has its completion stored, every held
   * request's grant was claimed): on by default with a 60 s grace window; false skips it.
   */
  completeness?: CompletenessOptions | false;
  /** The clock the grace window is measured against (tests pass one). */
  now?: () => Date;
  /**
   * Sees every event of the pass, in global order, so a caller that also needs a fold of the whole
   * store (the recorded bodies' index) reads the store once instead of twice.
   */
  observe?: (e: RecordedEventLike & { globalPosition: number }) => void;
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
  /** Absent when the pass was skipped (`completeness: false`); `ok` covers it when present. */
  completeness?: CompletenessReport;
}

/**
 * One stream followed in storage order while it is clean: every event at the next revision, its
 * recorded prevHash the previous event's link and its recorded chainHash what its content yields.
 * That is exactly the case where verifyStreamEvents finds nothing, so only O(1) state is kept;
 * the links at revisions a checkpoint signed are remembered for the head checks.
 */
interface CleanStream {
  next: number;
  link: string;
  /** revision → link, only for revisions some checkpoint signed. */
  signed: Map<number, string>;
  dirty: boolean;
}

/**
 * Reads every event of the store, recomputes every stream's hash chain and checks every checkpoint
 * of the `checkpoints` stream: its signature, and that the heads it signed are still what the
 * stored events yield. Problems name the stream, revision and event id (see `Problem`; only the
 * first broken link of a stream is reported, since every later link depends on it). The result is
 * the same as verifyChains over the whole store.
 *
 * The same pass checks completeness (see completeness.ts): requests let through with no stored
 * completion and grants never claimed are listed in `completeness`, and make `ok` false.
 *
 * Memory stays proportional to the number of streams and of open requests, not events: the
 * checkpoints are read first (to know which links to remember), then one pass over the store
 * follows every stream while it is clean. Only streams found with a problem are read a second
 * time, in full, to name it; that second read also settles requests that looked incomplete.
 */
export async function verifyStore(store: EvidenceReader, opts: VerifyStoreOptions): Promise<StoreVerificationReport> {
  const keys = checkpointKeys(opts.publicKey);
  const pageSize = opts.pageSize ?? 5000;
  const now = opts.now ?? (() => new Date());
  const tracker = opts.completeness === false ? undefined : new CompletenessTracker();

  // 1. The checkpoints, and the (stream, revision) links they signed.
  const checkpoints: Checkpoint[] = [];
  for (const e of await store.readStream(EvidenceStreams.checkpoints)) {
    if (e.type !== CHAIN_CHECKPOINTED) continue;
    // A malformed checkpoint still counts: checkCheckpoints reports it as a bad signature.
    checkpoints.push((e.data as { checkpoint?: Checkpoint } | null)?.checkpoint ?? ({} as Checkpoint));
  }
  const wanted = new Map<string, Set<number>>();
  for (const cp of checkpoints) {
    for (const [stream, head] of Object.entries(cp?.heads ?? {})) {
      if (typeof head?.revision === 'number') (wanted.get(stream) ?? wanted.set(stream, new Set()).get(stream)!).add(head.revision);
    }
  }

  // 2. One pass over the store, following each stream while it is clean.
  const streams = new Map<string, CleanStream>();
  let events = 0;
  const throughPosition = await readAllPages(store, pageSize, (e) => {
    events++;
    tracker?.observe(e);
    opts.observe?.(e);
    let s = streams.get(e.stream);
    if (!s) streams.set(e.stream, (s = { next: 0, link: GENESIS, signed: new Map(), dirty: false }));
    if (s.dirty) return;
    const recordedPrev = e.metadata?.[PREV_HASH_KEY];
    const recordedHash = e.metadata?.[CHAIN_HASH_KEY];
    if (e.revision !== s.next || recordedPrev !== s.link || !isChainHash(recordedHash) || safeLink(s.link, e) !== recordedHash) {
      s.dirty = true;
      s.signed = new Map();
      return;
    }
    s.link = recordedHash;
    if (wanted.get(e.stream)?.has(e.revision)) s.signed.set(e.revision, recordedHash);
    s.next++;
  });

  // 3. Streams with a problem, and requests that look incomplete: read again (once for both).
  const dirty = new Set([...streams].filter(([, s]) => s.dirty).map(([name]) => name));
  const full = new Map<string, RecordedEventLike[]>([...dirty].map((name) => [name, []]));
  const verifiedAt = now();
  const open = tracker?.findings(verifiedAt, opts.completeness || {});
  if (dirty.size > 0 || (open && open.unsettled > 0)) {
    await readAllPages(store, pageSize, (e) => {
      if (e.globalPosition > throughPosition) return;
      full.get(e.stream)?.push(e);
      if (open && open.unsettled > 0) open.settle(e);
    });
  }
  const completeness = open?.report();
  const problems: Problem[] = [];
  const states = new Map<string, StreamChainState>();
  for (const name of [...streams.keys()].sort()) {
    const s = streams.get(name)!;
    states.set(name, s.dirty ? verifyStreamEvents(name, full.get(name) ?? [], problems) : { lastRevision: s.next - 1, recomputed: s.signed });
  }
  checkCheckpoints(checkpoints, keys, (stream) => states.get(stream), problems);

  const newest = checkpoints[checkpoints.length - 1]?.at;
  return {
    ok: problems.length === 0 && (completeness?.ok ?? true),
    streams: streams.size,
    events,
    problems,
    checkpoints: checkpoints.length,
    ...(typeof newest === 'string' ? { lastCheckpointAt: newest } : {}),
    throughPosition,
    verifiedAt: verifiedAt.toISOString(),
    ...(completeness ? { completeness } : {}),
  };
}

function safeLink(prev: string, e: RecordedEventLike): string | undefined {
  try {
    return linkHash(prev, e);
  } catch {
    return undefined;
  }
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
