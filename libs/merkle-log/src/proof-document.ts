import type { KeyObject } from 'node:crypto';
import { keyIdOf, type ChainEntry } from '@chaperone/evidence-chain';
import { evidenceLeafHash } from './evidence-leaf';
import { fromHex, toHex } from './hash';
import { isSignedTreeHead, signTreeHead, verifyTreeHead, type SignedTreeHead, type SignTreeHeadOptions } from './signed-tree-head';
import type { MerkleTree } from './tree';
import { verifyConsistency, verifyInclusion } from './verify';

/**
 * The JSON an auditor takes away: every hash as 64 lowercase hex digits, every head signed, and
 * (inclusion) the events themselves, so the leaves are recomputed from content, not trusted.
 */
export const ProofKinds = Object.freeze({
  inclusion: 'chaperone.inclusion-proof/v1',
  consistency: 'chaperone.consistency-proof/v1',
} as const);

const HASH = 'RFC9162-SHA256';
const LEAF = 'SHA-256(0x00 || canonical JSON of { stream, revision, eventId, type, data, metadata without prevHash/chainHash })';

export interface InclusionEntry {
  leafIndex: number;
  event: ChainEntry;
  path: string[];
}

export interface InclusionProofDocument {
  kind: typeof ProofKinds.inclusion;
  hash: typeof HASH;
  leaf: typeof LEAF;
  requestId?: string;
  treeHead: SignedTreeHead;
  entries: InclusionEntry[];
}

export interface ConsistencyProofDocument {
  kind: typeof ProofKinds.consistency;
  hash: typeof HASH;
  /** The head of the first oldHead.size events, as the store holds them now. */
  oldHead: SignedTreeHead;
  newHead: SignedTreeHead;
  proof: string[];
}

export type ProofDocument = InclusionProofDocument | ConsistencyProofDocument;

/** A tree head that the tree as read now does not reproduce: the log was rewritten under it. */
export class TreeHeadMismatch extends Error {
  override readonly name = 'TreeHeadMismatch';
}

/** Throws TreeHeadMismatch unless the tree's first head.size leaves give head.rootHash. */
export function checkHead(tree: MerkleTree, head: SignedTreeHead): void {
  if (head.size > tree.size) throw new TreeHeadMismatch(`the signed tree head of ${head.size} events is beyond the ${tree.size} events in the store`);
  if (tree.rootHash(head.size).toString('hex') !== head.rootHash) {
    throw new TreeHeadMismatch(`the store's first ${head.size} events do not give the root of the signed tree head of that size (signed ${head.timestamp}): the log was rewritten after that head was signed`);
  }
}

/** Inclusion proofs of the given leaves against a freshly signed head of the whole tree. */
export function inclusionProofDocument(
  tree: MerkleTree,
  leaves: ReadonlyArray<{ leafIndex: number; event: ChainEntry }>,
  sign: SignTreeHeadOptions,
  requestId?: string,
): InclusionProofDocument {
  const size = tree.size;
  return inclusionProofAgainst(tree, leaves, signTreeHead({ size, rootHash: tree.rootHash(size) }, sign), requestId);
}

/**
 * Inclusion proofs of the given leaves against a head signed earlier (a stored one). Throws
 * TreeHeadMismatch when the tree does not reproduce the head, RangeError for a leaf beyond it.
 */
export function inclusionProofAgainst(
  tree: MerkleTree,
  leaves: ReadonlyArray<{ leafIndex: number; event: ChainEntry }>,
  treeHead: SignedTreeHead,
  requestId?: string,
): InclusionProofDocument {
  checkHead(tree, treeHead);
  const size = treeHead.size;
  return {
    kind: ProofKinds.inclusion,
    hash: HASH,
    leaf: LEAF,
    ...(requestId !== undefined ? { requestId } : {}),
    treeHead,
    entries: leaves.map(({ leafIndex, event }) => ({
      leafIndex,
      event: { stream: event.stream, revision: event.revision, eventId: event.eventId, type: event.type, data: event.data, metadata: event.metadata ?? {} },
      path: tree.inclusionProof(leafIndex, size).map(toHex),
    })),
  };
}

export function consistencyProofDocument(tree: MerkleTree, oldSize: number, newSize: number, sign: SignTreeHeadOptions): ConsistencyProofDocument {
  return consistencyProofBetween(
    tree,
    signTreeHead({ size: oldSize, rootHash: tree.rootHash(oldSize) }, sign),
    signTreeHead({ size: newSize, rootHash: tree.rootHash(newSize) }, sign),
  );
}

/** A consistency proof between two heads signed earlier (stored ones); TreeHeadMismatch when the tree does not reproduce either. */
export function consistencyProofBetween(tree: MerkleTree, oldHead: SignedTreeHead, newHead: SignedTreeHead): ConsistencyProofDocument {
  checkHead(tree, oldHead);
  checkHead(tree, newHead);
  if (oldHead.size > newHead.size) throw new RangeError(`the old head (${oldHead.size} events) is larger than the new one (${newHead.size})`);
  return { kind: ProofKinds.consistency, hash: HASH, oldHead, newHead, proof: tree.consistencyProof(oldHead.size, newHead.size).map(toHex) };
}

export interface ProofVerification {
  ok: boolean;
  kind: string;
  /** What was checked and held, one line each. */
  checked: string[];
  /** What failed, one line each. */
  problems: string[];
}

export interface VerifyProofOptions {
  /** The tree-head public keys (more than one during a key rotation: each head names its keyId). */
  publicKeys: readonly KeyObject[];
  /**
   * Heads the auditor kept from earlier (e.g. yesterday's proof): a head of the same size in the
   * document must have the same root, or the log was rewritten since.
   */
  trustedHeads?: readonly SignedTreeHead[];
}

/** Checks a proof document offline: signatures, proofs, recomputed leaves, and the trusted heads. */
export function verifyProofDocument(doc: unknown, opts: VerifyProofOptions): ProofVerification {
  const byId = new Map(opts.publicKeys.map((k) => [keyIdOf(k), k]));
  const checked: string[] = [];
  const problems: string[] = [];
  const kind = typeof (doc as { kind?: unknown } | null)?.kind === 'string' ? (doc as { kind: string }).kind : '';
  const head = (name: string, h: unknown): SignedTreeHead | undefined => {
    if (!isSignedTreeHead(h)) {
      problems.push(`${name}: not a signed tree head (size, rootHash, timestamp, keyId, signature)`);
      return undefined;
    }
    const key = byId.get(h.keyId) ?? (opts.publicKeys.length === 1 ? opts.publicKeys[0] : undefined);
    if (!key || !verifyTreeHead(h, key)) {
      problems.push(`${name} (size ${h.size}, key ${h.keyId}): signature does not verify with the given public key`);
      return h;
    }
    checked.push(`${name}: size ${h.size}, root ${h.rootHash}, signed ${h.timestamp} by ${h.keyId}`);
    for (const t of opts.trustedHeads ?? []) {
      if (t.size !== h.size) continue;
      if (t.rootHash === h.rootHash) checked.push(`${name} equals the trusted head of size ${t.size} (signed ${t.timestamp})`);
      else problems.push(`${name}: root ${h.rootHash} differs from the trusted head of size ${t.size} (${t.rootHash}, signed ${t.timestamp}): the log was rewritten`);
    }
    return h;
  };
  const hashes = (name: string, list: unknown): Buffer[] | undefined => {
    try {
      if (!Array.isArray(list)) throw new TypeError('not a list');
      return list.map((h) => fromHex(h));
    } catch (e) {
      problems.push(`${name}: ${(e as Error).message}`);
      return undefined;
    }
  };

  if (kind === ProofKinds.inclusion) {
    const d = doc as InclusionProofDocument;
    const th = head('tree head', d.treeHead);
    const entries = Array.isArray(d.entries) ? d.entries : [];
    if (entries.length === 0) problems.push('no entries: the document proves nothing');
    for (const [i, e] of entries.entries()) {
      const where = `entry ${i} (${String(e?.event?.stream)}@${String(e?.event?.revision)}, event ${String(e?.event?.eventId)})`;
      const path = hashes(`${where} path`, e?.path);
      let leaf: Buffer | undefined;
      try {
        leaf = evidenceLeafHash(e.event);
      } catch (err) {
        problems.push(`${where}: the event cannot be hashed (${(err as Error).message})`);
      }
      if (!th || !path || !leaf) continue;
      if (verifyInclusion(leaf, e.leafIndex, th.size, path, fromHex(th.rootHash))) checked.push(`${where}: leaf ${e.leafIndex} of ${th.size} is in the signed tree`);
      else problems.push(`${where}: the inclusion proof of leaf ${String(e.leafIndex)} does not lead to the signed root (event altered, moved, or not in this tree)`);
    }
  } else if (kind === ProofKinds.consistency) {
    const d = doc as ConsistencyProofDocument;
    const oldHead = head('old head', d.oldHead);
    const newHead = head('new head', d.newHead);
    const proof = hashes('proof', d.proof);
    if (oldHead && newHead && proof) {
      if (verifyConsistency(oldHead.size, newHead.size, proof, fromHex(oldHead.rootHash), fromHex(newHead.rootHash))) {
        checked.push(`the tree of ${oldHead.size} events is a prefix of the tree of ${newHead.size}: the log only grew`);
      } else {
        problems.push(`the consistency proof from ${oldHead.size} to ${newHead.size} events does not hold: the log was not only appended to`);
      }
    }
  } else {
    problems.push(`unknown proof kind ${JSON.stringify(kind.slice(0, 60))} (expected ${ProofKinds.inclusion} or ${ProofKinds.consistency})`);
  }
  return { ok: problems.length === 0, kind, checked, problems };
}

/** The heads a document carries (to keep as trusted heads for the next check). */
export function headsOf(doc: unknown): SignedTreeHead[] {
  if (isSignedTreeHead(doc)) return [doc];
  const d = doc as { treeHead?: unknown; oldHead?: unknown; newHead?: unknown } | null;
  return [d?.treeHead, d?.oldHead, d?.newHead].filter(isSignedTreeHead);
}
