import { canonicalJson, chainedContent, type ChainEntry } from '@chaperone/evidence-chain';
import { leafHash } from './hash';

/**
 * The leaf of one evidence event: the canonical JSON of exactly what its hash-chain link covers
 * (stream, revision, event id, type, data, metadata without the chain's own members), as
 * libs/evidence-chain hashes it. So a proof vouches for the same content the chain does, and an
 * auditor recomputes the leaf from the event alone.
 */
export function evidenceLeaf(event: ChainEntry): Buffer {
  return Buffer.from(canonicalJson(chainedContent(event)), 'utf8');
}

/** SHA-256(0x00 || evidenceLeaf(event)). */
export function evidenceLeafHash(event: ChainEntry): Buffer {
  return leafHash(evidenceLeaf(event));
}
