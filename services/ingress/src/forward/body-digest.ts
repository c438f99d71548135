import { createHash, type Hash } from 'node:crypto';
import type { BodyDigest } from '@chaperone/contracts';

/**
 * SHA-256 and size of a body as it streams past, without keeping it: the evidence identifies the
 * exact bytes the cluster received or sent while the content itself is never stored unmasked.
 */
export class BodyDigestTap {
  private readonly hash: Hash = createHash('sha256');
  private size = 0;

  update(chunk: Buffer): void {
    this.hash.update(chunk);
    this.size += chunk.length;
  }

  result(): BodyDigest {
    return { digest: `sha256:${this.hash.digest('hex')}`, size: this.size };
  }
}
