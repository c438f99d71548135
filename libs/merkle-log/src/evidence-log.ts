import { readAllPages, type PagedEventReader, type RecordedEventLike } from '@chaperone/evidence-chain';
import { evidenceLeafHash } from './evidence-leaf';
import { MerkleTree } from './tree';

/** The part of an event store the log is read through (the EventStore port of @chaperone/event-store fits). */
export type EvidenceLogReader = PagedEventReader;

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
 */
export async function readEvidenceLog(reader: EvidenceLogReader, opts: ReadEvidenceLogOptions = {}): Promise<EvidenceLog> {
  const tree = new MerkleTree();
  const throughPosition = await readAllPages(reader, opts.pageSize ?? 5000, (e) => {
    opts.onLeaf?.(e, tree.size);
    tree.appendLeafHash(evidenceLeafHash(e));
  });
  return { tree, throughPosition };
}
