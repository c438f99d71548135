import { EvidenceStreams, RecordedBodySchema, RecordingsPrunedSchema } from '@chaperone/contracts';
import { readAllPages } from './read-all-pages';
import type { EvidenceReader } from './verify-store';
import type { RecordedEventLike } from './verify';

/**
 * One stored body as the evidence names it. Found generically: any top-level payload field of a
 * stored event that has the RecordedBody shape with a `stored` blob (RequestCompleted's
 * `requestBody`/`responseBody`), so a new event type that carries a RecordedBody at its payload's
 * top level is covered unchanged; plus the known places that name a blob in a shape of their own
 * (STORED_BLOB_FIELDS: an exec session's asciicast `recording`).
 */
export interface StoredBodyRef {
  /** The event that names the body, where it is stored, and the payload field holding it. */
  eventId: string;
  eventType: string;
  stream: string;
  position: number;
  field: string;
  requestId: string;
  sessionId: string;
  /** The referencing event's producer time (for RequestCompleted: when the request completed). */
  time: string;
  /** The blob kept: its content address and size, cut (`truncated`), a timed stream (`timed`). */
  storedDigest: string;
  storedSize: number;
  truncated: boolean;
  timed: boolean;
}

/** `eventId/field`: one reference, whatever blob it names (several references may share a blob). */
export function bodyRefKey(ref: { eventId: string; field: string }): string {
  return `${ref.eventId}/${ref.field}`;
}

/**
 * Payload fields that name a stored blob by `{ digest, size, truncated }` (the digest is the blob's
 * own), by event type: ExecSessionRecorded's `recording` is the session's asciicast file.
 */
export const STORED_BLOB_FIELDS: Readonly<Record<string, readonly string[]>> = Object.freeze({ ExecSessionRecorded: ['recording'] });

/** The payload field a RecordingDeferred's `body` names. */
export function deferredField(body: 'request' | 'response' | 'session'): string {
  return body === 'request' ? 'requestBody' : body === 'response' ? 'responseBody' : 'recording';
}

/**
 * What the evidence says about recorded bodies, folded over the store in global order: every
 * reference to a stored blob, the retention each request's decision set, the bodies whose storing
 * was deferred and the references a prune has covered.
 */
export interface RecordingsIndex {
  refs: StoredBodyRef[];
  /** requestId → retention in days of the deciding policy (the longest, if decided more than once). */
  retentionDays: Map<string, number>;
  /** `requestId/field` of each body a RecordingDeferred says is waiting for the blob store. */
  deferred: Set<string>;
  /** bodyRefKey → the prune that covered the reference (RecordingsPruned of the `recordings` stream only). */
  pruned: Map<string, { asOf: string; eventId: string; blob: 'deleted' | 'absent' | 'kept' | 'unknown' }>;
  events: number;
  /** Global position of the last event read. */
  throughPosition: number;
}

export function newRecordingsIndex(): RecordingsIndex {
  return { refs: [], retentionDays: new Map(), deferred: new Set(), pruned: new Map(), events: 0, throughPosition: 0 };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The stored-body references an event makes (none for most events). */
export function storedBodiesOf(e: RecordedEventLike & { globalPosition: number }): StoredBodyRef[] {
  if (e.stream === EvidenceStreams.recordings || e.stream === EvidenceStreams.checkpoints) return [];
  const data = e.data;
  if (!isObj(data) || !isObj(data['payload'])) return [];
  const refs: StoredBodyRef[] = [];
  const base = {
    eventId: e.eventId,
    eventType: e.type,
    stream: e.stream,
    position: e.globalPosition,
    requestId: str(data['requestId']),
    sessionId: str(data['sessionId']),
    time: str(data['time']),
  };
  for (const field of STORED_BLOB_FIELDS[e.type] ?? []) {
    // The digest here is the blob's own (there is no whole-body digest apart from it).
    const blob = data['payload'][field];
    if (!isObj(blob) || !DIGEST.test(str(blob['digest'])) || !Number.isSafeInteger(blob['size'])) continue;
    refs.push({ ...base, field, storedDigest: str(blob['digest']), storedSize: blob['size'] as number, truncated: blob['truncated'] === true, timed: false });
  }
  const own = STORED_BLOB_FIELDS[e.type] ?? [];
  for (const [field, value] of Object.entries(data['payload'])) {
    if (own.includes(field) || !isObj(value) || !isObj(value['stored'])) continue;
    const body = RecordedBodySchema.safeParse(value);
    if (!body.success || !body.data.stored) continue;
    const s = body.data.stored;
    refs.push({
      ...base,
      field,
      storedDigest: s.digest,
      storedSize: s.size,
      truncated: s.truncated,
      timed: s.timed === true,
    });
  }
  return refs;
}

/** Fold one stored event into the index (in global order). */
export function indexRecordings(index: RecordingsIndex, e: RecordedEventLike & { globalPosition: number }): void {
  index.events++;
  index.throughPosition = e.globalPosition;
  const data = e.data;
  if (!isObj(data)) return;
  if (e.type === 'RecordingsPruned') {
    // A prune explains absent blobs only where prunes are written; anywhere else it is ignored.
    if (e.stream !== EvidenceStreams.recordings) return;
    const parsed = RecordingsPrunedSchema.safeParse(data);
    if (!parsed.success) return;
    const outcomes = new Map(parsed.data.payload.blobs.map((b) => [b.digest, b.outcome]));
    for (const b of parsed.data.payload.bodies) {
      index.pruned.set(bodyRefKey(b), { asOf: parsed.data.payload.asOf, eventId: parsed.data.eventId, blob: outcomes.get(b.storedDigest) ?? 'unknown' });
    }
    return;
  }
  const payload = isObj(data['payload']) ? data['payload'] : undefined;
  if (e.type === 'PolicyDecided') {
    const recording = isObj(payload?.['decision']) && isObj(payload['decision']['recording']) ? payload['decision']['recording'] : undefined;
    const days = recording?.['retentionDays'];
    const requestId = str(data['requestId']);
    if (typeof days === 'number' && Number.isInteger(days) && days > 0) index.retentionDays.set(requestId, Math.max(days, index.retentionDays.get(requestId) ?? 0));
    return;
  }
  if (e.type === 'RecordingDeferred') {
    const body = payload?.['body'];
    if (body === 'request' || body === 'response' || body === 'session') index.deferred.add(`${str(data['requestId'])}/${deferredField(body)}`);
    return;
  }
  for (const ref of storedBodiesOf(e)) index.refs.push(ref);
}

/** The index of the whole store, read in pages. */
export async function readRecordingsIndex(store: EvidenceReader, opts: { pageSize?: number } = {}): Promise<RecordingsIndex> {
  const index = newRecordingsIndex();
  await readAllPages(store, opts.pageSize ?? 5000, (e) => indexRecordings(index, e));
  return index;
}
