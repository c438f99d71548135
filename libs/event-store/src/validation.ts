import { InvalidArgument, type ExpectedRevision, type NewEvent } from './port';

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

/**
 * Where the batch is already stored, as a unit: `all` when every id is stored at consecutive
 * revisions in batch order; `none` when no id is stored; `partial` otherwise.
 */
export function classifyStored(
  ids: string[],
  stored: Map<string, { revision: number; globalPosition: number }>,
): { kind: 'none' } | { kind: 'partial'; found: string[] } | { kind: 'all'; lastRevision: number; lastPosition: number } {
  const found = ids.filter((id) => stored.has(id));
  if (found.length === 0) return { kind: 'none' };
  if (found.length < ids.length) return { kind: 'partial', found };
  const first = stored.get(ids[0] as string);
  if (!first) return { kind: 'partial', found };
  for (let i = 1; i < ids.length; i++) {
    if (stored.get(ids[i] as string)?.revision !== first.revision + i) return { kind: 'partial', found };
  }
  const last = stored.get(ids[ids.length - 1] as string) ?? first;
  return { kind: 'all', lastRevision: last.revision, lastPosition: last.globalPosition };
}
