import { InvalidArgument, MAX_TAG_NAME_LENGTH, MAX_TAG_VALUE_LENGTH, MAX_TAGS, type ExpectedRevision, type NewEvent } from './port';

export const MAX_STREAM_NAME_LENGTH = 200;
const STREAM_NAME = /^[A-Za-z0-9._:-]+$/;

/**
 * Stream names: 1..200 chars of [A-Za-z0-9._:-]. '.' is a hierarchy separator (on JetStream it
 * becomes the subject token separator), so a name may not start or end with '.' nor contain '..'
 * (empty subject tokens). No '$' (EventStoreDB system streams), no whitespace, no wildcards.
 */
export function validateStreamName(stream: unknown): asserts stream is string {
  if (typeof stream !== 'string' || stream.length === 0) {
    throw new InvalidArgument('invalid stream name: must be a non-empty string');
  }
  if (stream.length > MAX_STREAM_NAME_LENGTH) {
    throw new InvalidArgument(`invalid stream name: longer than ${MAX_STREAM_NAME_LENGTH} characters`);
  }
  if (!STREAM_NAME.test(stream)) {
    throw new InvalidArgument(`invalid stream name '${stream}': only [A-Za-z0-9._:-] are allowed`);
  }
  if (stream.startsWith('.') || stream.endsWith('.') || stream.includes('..')) {
    throw new InvalidArgument(`invalid stream name '${stream}': '.' separates non-empty segments`);
  }
}

export function validateEvents(events: NewEvent[]): void {
  if (!Array.isArray(events)) throw new InvalidArgument('events must be an array');
  const seen = new Set<string>();
  for (const e of events) {
    if (typeof e.eventId !== 'string' || e.eventId.length === 0 || /[\r\n]/.test(e.eventId)) {
      throw new InvalidArgument('every event needs a non-empty eventId without line breaks');
    }
    if (typeof e.type !== 'string' || e.type.length === 0 || /[\r\n]/.test(e.type)) {
      throw new InvalidArgument(`event ${e.eventId}: type must be a non-empty string without line breaks`);
    }
    if (seen.has(e.eventId)) throw new InvalidArgument(`event id ${e.eventId} appears twice in one append`);
    seen.add(e.eventId);
    if (e.tags !== undefined) validateTags(e.eventId, e.tags);
  }
}

function validateTags(eventId: string, tags: unknown): void {
  if (tags === null || typeof tags !== 'object' || Array.isArray(tags)) throw new InvalidArgument(`event ${eventId}: tags must be an object`);
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) throw new InvalidArgument(`event ${eventId}: more than ${MAX_TAGS} tags`);
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > MAX_TAG_NAME_LENGTH || typeof value !== 'string' || value.length > MAX_TAG_VALUE_LENGTH) {
      throw new InvalidArgument(`event ${eventId}: tag '${key.slice(0, MAX_TAG_NAME_LENGTH)}' must be a string of at most ${MAX_TAG_VALUE_LENGTH} characters under a name of 1 to ${MAX_TAG_NAME_LENGTH}`);
    }
  }
}

export function validateExpectedRevision(expected: ExpectedRevision): void {
  if (expected === 'any' || expected === 'no_stream') return;
  if (typeof expected !== 'number' || !Number.isSafeInteger(expected) || expected < 0) {
    throw new InvalidArgument(`invalid expectedRevision ${String(expected)}`);
  }
}

export function validateCount(name: string, value: number | undefined, min: number): void {
  if (value === undefined) return;
  if (!Number.isSafeInteger(value) || value < min) throw new InvalidArgument(`invalid ${name} ${value}`);
}

/** Does the stream's current revision (-1: no stream) satisfy the expectation? */
export function revisionMatches(expected: ExpectedRevision, current: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return current === -1;
  return expected === current;
}

/** Where a batch of ids is already stored; see classifyStored. */
export type StoredBatch =
  | { kind: 'none' }
  | { kind: 'partial'; found: string[]; prefix: boolean }
  | { kind: 'all'; lastRevision: number; lastPosition: number };

/**
 * Where the batch is already stored, as a unit: `all` when every id is stored at consecutive
 * revisions in batch order; `none` when no id is stored; `partial` otherwise. A partial batch is a
 * `prefix` when exactly its first ids are stored, in order at consecutive revisions: on a store
 * whose multi-event appends are not atomic, that is what an identical append still in flight
 * looks like to a concurrent reader.
 */
export function classifyStored(ids: string[], stored: Map<string, { revision: number; globalPosition: number }>): StoredBatch {
  const found = ids.filter((id) => stored.has(id));
  if (found.length === 0) return { kind: 'none' };
  const first = stored.get(ids[0] as string);
  let run = 0; // how many leading ids are stored at consecutive revisions
  while (first && run < ids.length && stored.get(ids[run] as string)?.revision === first.revision + run) run++;
  const last = run === ids.length ? stored.get(ids[run - 1] as string) : undefined;
  if (last) return { kind: 'all', lastRevision: last.revision, lastPosition: last.globalPosition };
  return { kind: 'partial', found, prefix: run === found.length };
}

/** Pauses before re-looking at a batch stored in part (about 3 s in all). */
const IN_FLIGHT_PAUSES_MS = [5, 10, 20, 40, 80, 160, 320, 640, 800, 1000];

/**
 * classifyStored, re-looked at while the batch is a stored prefix: an identical append racing
 * this one may still be publishing the rest (non-atomic stores), and its caller must then get
 * `duplicate`, not a conflict. A prefix that stays a prefix is a batch cut short by a crash or an
 * outage: `partial` after about 3 s. `lookup` must read the store afresh on every call.
 */
export async function classifyStoredSettled(lookup: () => Promise<StoredBatch>): Promise<StoredBatch> {
  let c = await lookup();
  for (const ms of IN_FLIGHT_PAUSES_MS) {
    if (c.kind !== 'partial' || !c.prefix) return c;
    await new Promise((r) => setTimeout(r, ms));
    c = await lookup();
  }
  return c;
}
