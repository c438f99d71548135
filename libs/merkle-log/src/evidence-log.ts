import type { RecordedEventLike } from '@chaperone/evidence-chain';
import { evidenceLeafHash } from './evidence-leaf';
import { MerkleTree } from './tree';

/** The part of an event store the log is read through (the EventStore port of @chaperone/event-store fits). */
export interface EvidenceLogReader {
  readAll(opts?: { fromPosition?: number; maxCount?: number }): Promise<Array<RecordedEventLike & { globalPosition: number }>>;
}

export interface ReadEvidenceLogOptions {
  /** Events per readAll page; default 5000. */
  pageSize?: number;
  /** Called for every event with its leaf index (0-based, in the store's global order). */
  onLeaf?: (event: RecordedEventLike & { globalPosition: number }, leafIndex: number) => void;
}

export interface EvidenceLog {
  tree: MerkleTree;
  /** Global position of the last event read ('0' for an empty store). */
  throughPosition: number;
}

/**
 * The Merkle tree of the whole evidence store: one leaf per event, in global order (leaf i is the
 * i-th event the store returns; positions may have gaps, so the index is the ordinal, not the
 * position). Reads every event once: O(n) time, and 32 bytes per tree node of memory.
 *
 * Some stores (EventStoreDB) give one append's events one position, so each page re-reads the last
 * position of the one before and skips the events it already took there.
 */
export async function readEvidenceLog(reader: EvidenceLogReader, opts: ReadEvidenceLogOptions = {}): Promise<EvidenceLog> {
  const pageSize = opts.pageSize ?? 5000;
  const tree = new MerkleTree();
  let from = 0;
  let through = 0;
  let seenAtLast = new Set<string>();
  for (;;) {
    const page = await reader.readAll({ fromPosition: from, maxCount: pageSize });
    let fresh = 0;
    for (const e of page) {
      if (e.globalPosition === from && seenAtLast.has(e.eventId)) continue;
      fresh++;
      if (e.globalPosition !== through) seenAtLast = new Set();
      seenAtLast.add(e.eventId);
      through = e.globalPosition;
      opts.onLeaf?.(e, tree.size);
      tree.appendLeafHash(evidenceLeafHash(e));
    }
    if (page.length < pageSize) return { tree, throughPosition: through };
    from = fresh === 0 ? through + 1 : through;
  }
}
