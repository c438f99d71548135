import { CHAIN_HASH_KEY, GENESIS, isChainHash, linkHash, PREV_HASH_KEY } from './chain';
import type { KeyObject } from 'node:crypto';
import { Checkpoint, KeyInput, keyIdOf, loadPublicKey, verifyCheckpoint } from './checkpoint';

/** The part of a recorded event the chain covers (RecordedEvent from @chaperone/event-store fits). */
export interface RecordedEventLike {
  stream: string;
  revision: number;
  eventId: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

export type Problem =
  /**
   * The event's content no longer yields the hash recorded with it (metadata.chainHash, computed
   * from metadata.prevHash when it was appended), its chain members are absent or malformed, or
   * it sits in a stream other than the one it names. `expected` is the recorded hash (or
   * '<absent>'), `actual` the hash its stored content yields. Only the first per stream.
   */
  | {
      kind: 'broken-link';
      stream: string;
      revision: number;
      eventId: string;
      expected: string;
      actual: string;
    }
  /**
   * Revisions `revision` .. `revision + count - 1` are absent from the stream; `nextEventId` is
   * the event stored after the gap.
   */
  | { kind: 'missing'; stream: string; revision: number; count: number; nextEventId: string }
  /**
   * The event is stored out of revision order (or duplicates a revision), or its recorded
   * prevHash is not the recorded hash of the event before it although that one is intact.
   */
  | { kind: 'reordered'; stream: string; revision: number; eventId: string }
  /**
   * The checkpoint's signature does not verify with the given public key (with several keys: with
   * the one its keyId names, or none of them is that key).
   */
  | { kind: 'bad-signature'; checkpointAt: string }
  /**
   * A correctly signed checkpoint vouches for a head (`expected`) that the chain recomputed from
   * the stored events (`actual`) does not reach: catches a consistent rewrite of the chain.
   */
  | {
      kind: 'head-mismatch';
      stream: string;
      checkpointAt: string;
      checkpointRevision: number;
      expected: string;
      actual: string;
    }
  /** A correctly signed checkpoint covers revisions past the stream's last stored event (-1: none). */
  | {
      kind: 'truncated';
      stream: string;
      checkpointAt: string;
      checkpointRevision: number;
      actualLastRevision: number;
    };

export interface VerificationReport {
  ok: boolean;
  streams: number;
  events: number;
  problems: Problem[];
}

/** What one stream's stored events yield, for the checkpoint checks. */
export interface StreamChainState {
  lastRevision: number;
  /** revision -> link recomputed from GENESIS over the stored content, in revision order. */
  recomputed: Map<number, string>;
}

const ABSENT = '<absent>';
const UNVERIFIABLE = '<unverifiable>';

function isRevision(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function tryLink(prev: string, stream: string, event: RecordedEventLike): string | undefined {
  try {
    return linkHash(prev, { ...event, stream });
  } catch {
    return undefined;
  }
}

/**
 * One stream's events in storage order: appends its problems (reordered, missing, first broken
 * link) and returns the chain its content implies.
 */
export function verifyStreamEvents(stream: string, events: readonly RecordedEventLike[], problems: Problem[]): StreamChainState {
  const valid = events.filter((e) => isRevision(e.revision));
  const invalid = events.filter((e) => !isRevision(e.revision));

  // Storage order against revision order: name every event that is not where it belongs.
  const sorted = [...valid].sort((a, b) => a.revision - b.revision);
  sorted.forEach((event, i) => {
    if (valid[i] !== event) {
      problems.push({ kind: 'reordered', stream, revision: valid[i]!.revision, eventId: String(valid[i]!.eventId) });
    }
  });
  const chain: RecordedEventLike[] = [];
  for (const event of sorted) {
    const last = chain[chain.length - 1];
    if (last !== undefined && last.revision === event.revision) {
      problems.push({ kind: 'reordered', stream, revision: event.revision, eventId: String(event.eventId) });
    } else {
      chain.push(event);
    }
  }

  // Gaps.
  let nextRevision = 0;
  for (const event of chain) {
    if (event.revision > nextRevision) {
      problems.push({
        kind: 'missing',
        stream,
        revision: nextRevision,
        count: event.revision - nextRevision,
        nextEventId: String(event.eventId),
      });
    }
    nextRevision = event.revision + 1;
  }

  // Links: each event against the hashes recorded with it, then against its predecessor.
  let brokenReported = false;
  const reportBroken = (event: RecordedEventLike, expected: string, actual: string): void => {
    if (!brokenReported) {
      brokenReported = true;
      problems.push({
        kind: 'broken-link',
        stream,
        revision: event.revision,
        eventId: String(event.eventId),
        expected,
        actual,
      });
    }
  };
  let previous: { revision: number; hash: unknown; intact: boolean } | undefined;
  for (const event of chain) {
    const metadata: Record<string, unknown> =
      event.metadata !== null && typeof event.metadata === 'object' ? event.metadata : {};
    const recordedPrev = metadata[PREV_HASH_KEY];
    const recordedHash = metadata[CHAIN_HASH_KEY];
    const contiguousIntactPrev =
      previous !== undefined && previous.revision === event.revision - 1 && previous.intact ? previous.hash : undefined;
    const expectedPrev =
      event.revision === 0 ? GENESIS : isChainHash(contiguousIntactPrev) ? contiguousIntactPrev : undefined;
    const base = isChainHash(recordedPrev) ? recordedPrev : expectedPrev;
    const actual = base === undefined ? UNVERIFIABLE : (tryLink(base, stream, event) ?? UNVERIFIABLE);
    const intact =
      event.stream === stream && isChainHash(recordedPrev) && isChainHash(recordedHash) && actual === recordedHash;
    if (!intact) {
      reportBroken(event, typeof recordedHash === 'string' ? recordedHash : ABSENT, actual);
    } else if (expectedPrev !== undefined && recordedPrev !== expectedPrev) {
      problems.push({ kind: 'reordered', stream, revision: event.revision, eventId: String(event.eventId) });
    }
    previous = { revision: event.revision, hash: recordedHash, intact };
  }
  for (const event of invalid) {
    reportBroken(
      event,
      typeof event.metadata?.[CHAIN_HASH_KEY] === 'string' ? (event.metadata[CHAIN_HASH_KEY] as string) : ABSENT,
      UNVERIFIABLE,
    );
  }

  // The chain the stored content implies, for the checkpoints.
  const recomputed = new Map<number, string>();
  let prev = GENESIS;
  for (const event of chain) {
    const link = tryLink(prev, stream, event);
    if (link === undefined) break;
    recomputed.set(event.revision, link);
    prev = link;
  }
  const last = chain[chain.length - 1];
  return { lastRevision: last === undefined ? -1 : last.revision, recomputed };
}

/**
 * The public keys checkpoints are verified with. One key verifies every checkpoint. Several keys
 * (rotation: the old and the new) are told apart by the keyId each checkpoint names, which is
 * `keyIdOf` the key that signed it.
 */
export interface CheckpointKeys {
  for(cp: Checkpoint): KeyObject | undefined;
}

export function checkpointKeys(publicKey: KeyInput | readonly KeyInput[]): CheckpointKeys {
  const list = (Array.isArray(publicKey) ? publicKey : [publicKey]).map((k: KeyInput) => (typeof k === 'string' ? loadPublicKey(k) : k));
  if (list.length === 1) {
    const only = list[0] as KeyObject;
    return { for: () => only };
  }
  const byId = new Map(list.map((k) => [keyIdOf(k), k]));
  return { for: (cp) => (typeof cp?.keyId === 'string' ? byId.get(cp.keyId) : undefined) };
}

/**
 * Checks each checkpoint's signature and, for correctly signed ones, that every head it signed is
 * still reached by the chain the stored events yield (`stateOf`: undefined for a stream with no
 * events). Problems are appended in checkpoint order, streams sorted within one.
 */
export function checkCheckpoints(
  checkpoints: readonly Checkpoint[],
  keys: CheckpointKeys,
  stateOf: (stream: string) => StreamChainState | undefined,
  problems: Problem[],
): void {
  for (const cp of checkpoints) {
    const checkpointAt = typeof cp?.at === 'string' ? cp.at : String(cp?.at);
    const key = keys.for(cp);
    if (!key || !verifyCheckpoint(cp, key)) {
      problems.push({ kind: 'bad-signature', checkpointAt });
      continue;
    }
    for (const stream of Object.keys(cp.heads).sort()) {
      const head = cp.heads[stream]!;
      const state = stateOf(stream) ?? { lastRevision: -1, recomputed: new Map<number, string>() };
      if (head.revision > state.lastRevision) {
        problems.push({
          kind: 'truncated',
          stream,
          checkpointAt,
          checkpointRevision: head.revision,
          actualLastRevision: state.lastRevision,
        });
        continue;
      }
      const actual = state.recomputed.get(head.revision);
      // undefined: the revision is a gap, already reported as missing.
      if (actual !== undefined && actual !== head.hash) {
        problems.push({
          kind: 'head-mismatch',
          stream,
          checkpointAt,
          checkpointRevision: head.revision,
          expected: head.hash,
          actual,
        });
      }
    }
  }
}

/**
 * Verifies every stream's hash chain and every checkpoint. `streams` maps each stream name to its
 * events as read from the store (storage order); pass every stream the checkpoints cover, or they
 * are reported as truncated. `publicKey` verifies the checkpoints (Ed25519, KeyObject or PEM; a
 * list during a key rotation, see checkpointKeys).
 */
export function verifyChains(
  streams: Record<string, readonly RecordedEventLike[]>,
  checkpoints: readonly Checkpoint[],
  publicKey: KeyInput | readonly KeyInput[],
): VerificationReport {
  const keys = checkpointKeys(publicKey);
  const problems: Problem[] = [];
  const states = new Map<string, StreamChainState>();
  let events = 0;
  const names = Object.keys(streams).sort();
  for (const stream of names) {
    const list = streams[stream] ?? [];
    events += list.length;
    states.set(stream, verifyStreamEvents(stream, list, problems));
  }
  checkCheckpoints(checkpoints, keys, (stream) => states.get(stream), problems);
  return { ok: problems.length === 0, streams: names.length, events, problems };
}
