import { bodyRefKey, type RecordingsIndex, type StoredBodyRef } from './recorded-bodies';

/**
 * The part of a blob store the verification reads (the BlobStore port of @chaperone/blob-store
 * fits): a stream of the stored bytes, which the store checks against the content address and ends
 * with an error named `BlobCorrupt` when they do not match.
 */
export interface BlobReader {
  getStream(digest: string): Promise<AsyncIterable<Uint8Array> | undefined>;
}

/** A reference as a problem names it: enough to find the request and the event. */
export interface BodyRefSummary {
  requestId: string;
  sessionId: string;
  eventId: string;
  field: string;
}

/**
 * A stored blob the evidence names that is not there as named:
 * - `missing`: absent from the blob store, and no prune covers its references (`deferred` when a
 *   RecordingDeferred says the ingress still holds it to store later; it stays a problem until it
 *   arrives: the evidence names bytes nobody can read);
 * - `altered`: present, but its bytes do not match its content address or its recorded size.
 */
export interface RecordingProblem {
  kind: 'missing' | 'altered';
  storedDigest: string;
  deferred: boolean;
  detail: string;
  /** Every unpruned reference to the blob, in store order. */
  refs: BodyRefSummary[];
}

export interface RecordingsReport {
  ok: boolean;
  /** References checked (not pruned), and the distinct blobs they name. */
  bodies: number;
  blobs: number;
  /** References a prune covers (their blobs are expected absent, or kept for another reference). */
  pruned: number;
  problems: RecordingProblem[];
  throughPosition: number;
}

/** Thrown when the blob store cannot answer (not a finding about a blob): the verification did not happen. */
export class RecordingsUnverifiable extends Error {
  override readonly name = 'RecordingsUnverifiable';
}

const summary = (r: StoredBodyRef): BodyRefSummary => ({ requestId: r.requestId, sessionId: r.sessionId, eventId: r.eventId, field: r.field });

/**
 * Checks every stored body the evidence names and no prune covers: its blob exists and reads back
 * as its content address and recorded size. Each blob is read once however many bodies share it;
 * `concurrency` reads run at a time.
 */
export async function verifyRecordings(index: RecordingsIndex, blobs: BlobReader, opts: { concurrency?: number } = {}): Promise<RecordingsReport> {
  const byDigest = new Map<string, StoredBodyRef[]>();
  let pruned = 0;
  for (const ref of index.refs) {
    if (index.pruned.has(bodyRefKey(ref))) {
      pruned++;
      continue;
    }
    const list = byDigest.get(ref.storedDigest);
    if (list) list.push(ref);
    else byDigest.set(ref.storedDigest, [ref]);
  }
  const problems: RecordingProblem[] = [];
  const digests = [...byDigest.keys()];
  let next = 0;
  const worker = async () => {
    while (next < digests.length) {
      const digest = digests[next++] as string;
      const refs = byDigest.get(digest) as StoredBodyRef[];
      const problem = await checkBlob(blobs, digest, refs, index.deferred);
      if (problem) problems.push(problem);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 8, digests.length)) }, worker));
  // Store order, whatever order the reads finished in.
  const firstPosition = (p: RecordingProblem) => byDigest.get(p.storedDigest)?.[0]?.position ?? 0;
  problems.sort((a, b) => firstPosition(a) - firstPosition(b));
  return {
    ok: problems.length === 0,
    bodies: index.refs.length - pruned,
    blobs: byDigest.size,
    pruned,
    problems,
    throughPosition: index.throughPosition,
  };
}

async function checkBlob(blobs: BlobReader, digest: string, refs: StoredBodyRef[], deferred: ReadonlySet<string>): Promise<RecordingProblem | undefined> {
  const base = { storedDigest: digest, refs: refs.map(summary), deferred: refs.some((r) => deferred.has(`${r.requestId}/${r.field}`)) };
  let size = 0;
  try {
    const stream = await blobs.getStream(digest);
    if (!stream) {
      return {
        ...base,
        kind: 'missing',
        detail: base.deferred ? 'not in the blob store: its storing was deferred (RecordingDeferred) and it has not arrived' : 'not in the blob store, and no prune recorded its deletion',
      };
    }
    for await (const chunk of stream) size += chunk.length;
  } catch (e) {
    if (e instanceof Error && e.name === 'BlobCorrupt') return { ...base, kind: 'altered', detail: e.message };
    throw new RecordingsUnverifiable(`the blob store could not be read (blob ${digest}): ${e instanceof Error ? e.message : String(e)}`);
  }
  const expected = refs[0]?.storedSize ?? size;
  if (size !== expected) return { ...base, kind: 'altered', detail: `holds ${size} bytes, the evidence recorded ${expected}` };
  return undefined;
}

/** One line an auditor can read for a problem: the blob, what is wrong, and the requests that name it. */
export function describeRecordingProblem(p: RecordingProblem): string {
  const shown = p.refs.slice(0, 5).map((r) => `request ${r.requestId} ${r.field} (session ${r.sessionId}, event ${r.eventId})`);
  const more = p.refs.length > shown.length ? ` and ${p.refs.length - shown.length} more` : '';
  return `blob ${p.storedDigest} ${p.kind === 'missing' ? 'is missing' : 'was altered'}: ${p.detail}; named by ${shown.join(', ')}${more}`;
}
