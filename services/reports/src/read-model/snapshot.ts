import type { ApprovalView } from './approval-view';
import { emptyReadModel, READ_MODEL_SCHEMA, type AgentRecord, type AuthFailureView, type ReadModel, type RegistryEntry, type SessionView } from './read-model';
import { withSharedValues, type RequestView } from './request-view';
import { SessionIndex } from './session-index';

/**
 * A read-model snapshot is JSON lines: a header (schema, checkpoint, counters), one line per entry
 * of every collection, then a trailer with the number of entry lines. Never one JSON document: the
 * model of about 1.6 million events is longer, as one document, than the longest string V8 can hold
 * (2^29 - 24 characters), so saving it would fail for good once the history is that long.
 */
export const SNAPSHOT_FORMAT = 'chaperone-read-model-lines/1';

interface Header {
  format: typeof SNAPSHOT_FORMAT;
  schema: number;
  position: number;
  atPosition: string[];
  applied: number;
  orphanApprovalEvents: number;
}

interface Trailer {
  entries: number;
}

/** The collections an entry line may name, with their line shapes: `[name, key, value]` or `[name, item]`. */
type Entry =
  | ['sessions', string, SessionView]
  | ['requests', string, RequestView]
  | ['approvals', string, ApprovalView]
  | ['approvalByRequest', string, string]
  | ['agents', string, AgentRecord]
  | ['otherTypes', string, number]
  | ['registry', RegistryEntry]
  | ['authFailures', AuthFailureView]
  | ['invalid', ReadModel['invalid'][number]];

/** The snapshot of `m`, line by line (no line ends in a newline). */
export function* snapshotLines(m: ReadModel): Generator<string> {
  const header: Header = { format: SNAPSHOT_FORMAT, schema: m.schema, position: m.position, atPosition: m.atPosition, applied: m.applied, orphanApprovalEvents: m.orphanApprovalEvents };
  yield JSON.stringify(header);
  let entries = 0;
  const line = (entry: Entry): string => {
    entries++;
    return JSON.stringify(entry);
  };
  for (const [k, v] of m.sessions) yield line(['sessions', k, v]);
  for (const [k, v] of m.requests) yield line(['requests', k, v]);
  for (const [k, v] of m.approvals) yield line(['approvals', k, v]);
  for (const [k, v] of m.approvalByRequest) yield line(['approvalByRequest', k, v]);
  for (const [k, v] of m.agents) yield line(['agents', k, v]);
  for (const [k, v] of m.otherTypes) yield line(['otherTypes', k, v]);
  for (const v of m.registry) yield line(['registry', v]);
  for (const v of m.authFailures) yield line(['authFailures', v]);
  for (const v of m.invalid) yield line(['invalid', v]);
  const trailer: Trailer = { entries };
  yield JSON.stringify(trailer);
}

/**
 * The snapshot's lines, each ending in a newline, joined into strings of about `chunkChars`
 * characters (a longer line is a chunk of its own): what a compressor is fed.
 */
export function* snapshotChunks(m: ReadModel, chunkChars = 1 << 20): Generator<string> {
  let parts: string[] = [];
  let chars = 0;
  for (const line of snapshotLines(m)) {
    parts.push(line);
    chars += line.length + 1;
    if (chars >= chunkChars) {
      yield `${parts.join('\n')}\n`;
      parts = [];
      chars = 0;
    }
  }
  if (parts.length > 0) yield `${parts.join('\n')}\n`;
}

/**
 * The read model a snapshot's lines hold, or undefined when it was written for another schema
 * version (then the model is rebuilt from the store). A snapshot cut short, or with lines this
 * version does not know, is refused with an error (the caller rebuilds too). A snapshot written
 * as one JSON document by an earlier version is read as well.
 */
export async function readSnapshot(lines: AsyncIterable<string> | Iterable<string>): Promise<ReadModel | undefined> {
  let builder: Builder | undefined;
  let legacy: LegacySnapshot | undefined;
  let trailer: Trailer | undefined;
  for await (const text of lines) {
    if (text === '') continue;
    if (trailer || legacy) throw new SnapshotUnreadable('lines after its end');
    const value = JSON.parse(text) as unknown;
    if (!builder) {
      if (isHeader(value)) {
        if (value.schema !== READ_MODEL_SCHEMA) return undefined;
        builder = new Builder(value);
      } else if (isLegacy(value)) legacy = value;
      else throw new SnapshotUnreadable('not a read-model snapshot');
    } else if (Array.isArray(value)) builder.add(value as Entry);
    else if (isTrailer(value)) trailer = value;
    else throw new SnapshotUnreadable('a line that is neither an entry nor its end');
  }
  if (legacy) return fromLegacySnapshot(legacy);
  if (!builder) throw new SnapshotUnreadable('empty');
  if (!trailer || trailer.entries !== builder.entries) throw new SnapshotUnreadable(`cut short (${builder.entries} entries read${trailer ? `, ${trailer.entries} written` : ', no end'})`);
  return builder.model();
}

export class SnapshotUnreadable extends Error {
  constructor(why: string) {
    super(`the read-model snapshot is unreadable: ${why}`);
    this.name = 'SnapshotUnreadable';
  }
}

class Builder {
  entries = 0;
  private readonly m: ReadModel;

  constructor(h: Header) {
    this.m = { ...emptyReadModel(), position: h.position, atPosition: h.atPosition, applied: h.applied, orphanApprovalEvents: h.orphanApprovalEvents };
  }

  add(e: Entry): void {
    this.entries++;
    const m = this.m;
    switch (e[0]) {
      case 'sessions':
        m.sessions.set(e[1], e[2]);
        return;
      case 'requests':
        m.requests.set(e[1], withSharedValues(e[2]));
        return;
      case 'approvals':
        m.approvals.set(e[1], e[2]);
        return;
      case 'approvalByRequest':
        m.approvalByRequest.set(e[1], e[2]);
        return;
      case 'agents':
        m.agents.set(e[1], e[2]);
        return;
      case 'otherTypes':
        m.otherTypes.set(e[1], e[2]);
        return;
      case 'registry':
        m.registry.push(e[1]);
        return;
      case 'authFailures':
        m.authFailures.push(e[1]);
        return;
      case 'invalid':
        m.invalid.push(e[1]);
        return;
      default: {
        const unknown: never = e;
        throw new SnapshotUnreadable(`an entry of an unknown collection (${String((unknown as unknown[])[0]).slice(0, 40)})`);
      }
    }
  }

  /** The model read, with its search index built from its views (the index is never stored). */
  model(): ReadModel {
    return { ...this.m, index: SessionIndex.of(this.m.sessions.values(), this.m.requests.values()) };
  }
}

function isTrailer(v: unknown): v is Trailer {
  return typeof v === 'object' && v !== null && typeof (v as { entries?: unknown }).entries === 'number';
}

function isHeader(v: unknown): v is Header {
  return typeof v === 'object' && v !== null && (v as { format?: unknown }).format === SNAPSHOT_FORMAT;
}

/** The single-document snapshot earlier versions wrote (Maps as entry lists). */
export interface LegacySnapshot {
  schema: number;
  position: number;
  atPosition: string[];
  applied: number;
  sessions: [string, unknown][];
  requests: [string, unknown][];
  approvals: [string, unknown][];
  approvalByRequest: [string, string][];
  agents: [string, unknown][];
  registry: unknown[];
  authFailures: unknown[];
  orphanApprovalEvents: number;
  invalid: unknown[];
  otherTypes: [string, number][];
}

function isLegacy(v: unknown): v is LegacySnapshot {
  return typeof v === 'object' && v !== null && !('format' in v) && typeof (v as { schema?: unknown }).schema === 'number' && Array.isArray((v as { requests?: unknown }).requests);
}

/** An earlier version's document, read entry by entry as the lines are (the same builder). */
function fromLegacySnapshot(s: LegacySnapshot): ReadModel | undefined {
  if (s.schema !== READ_MODEL_SCHEMA) return undefined;
  const b = new Builder({ format: SNAPSHOT_FORMAT, schema: s.schema, position: s.position, atPosition: s.atPosition, applied: s.applied, orphanApprovalEvents: s.orphanApprovalEvents });
  const keyed = (name: string, entries: [string, unknown][]) => entries.forEach(([k, v]) => b.add([name, k, v] as Entry));
  const listed = (name: string, items: unknown[]) => items.forEach((v) => b.add([name, v] as Entry));
  keyed('sessions', s.sessions);
  keyed('requests', s.requests);
  keyed('approvals', s.approvals);
  keyed('approvalByRequest', s.approvalByRequest);
  keyed('agents', s.agents);
  keyed('otherTypes', s.otherTypes);
  listed('registry', s.registry);
  listed('authFailures', s.authFailures);
  listed('invalid', s.invalid);
  return b.model();
}
