import { BodyHasher } from '@chaperone/blob-store';
import type { RecordedBody } from '@chaperone/contracts';

/** A body as it passed, for the evidence: its digest always, its first bytes when they are stored. */
export interface CapturedBody {
  readonly recorded: RecordedBody;
  /** The bytes to store under `recorded.stored.digest`; undefined when only the digest is kept. */
  readonly kept: Buffer | undefined;
}

/**
 * Digests a body as it streams past and, when the policy stores it, keeps its first `capBytes`
 * bytes (the rest is digested, never kept). One SHA-256 pass over each byte.
 */
export class BodyCapture {
  private readonly digest: BodyHasher;
  private readonly chunks: Buffer[] | undefined;

  constructor(opts: { store: boolean; capBytes: number }) {
    this.digest = new BodyHasher(opts.store ? opts.capBytes : Number.POSITIVE_INFINITY);
    this.chunks = opts.store ? [] : undefined;
  }

  update(chunk: Buffer): void {
    const kept = this.digest.update(chunk);
    if (this.chunks && kept.length > 0) this.chunks.push(Buffer.from(kept.buffer, kept.byteOffset, kept.byteLength));
  }

  finish(): CapturedBody {
    const ref = this.digest.result();
    if (!this.chunks) return { recorded: { digest: ref.digest, size: ref.size }, kept: undefined };
    return {
      recorded: { digest: ref.digest, size: ref.size, stored: { digest: ref.storedDigest, size: ref.storedSize, truncated: ref.truncated } },
      kept: Buffer.concat(this.chunks),
    };
  }
}
