import { BodyHasher } from './body-digest';
import type { BlobRef, PutOptions } from './port';
import { validateBody, validatePutOptions } from './put-options';

/** Where a put spills a body too large to buffer (a chunk upload, an S3 multipart upload). */
export interface SpillUpload {
  write(bytes: Uint8Array): Promise<void>;
}

/** What a put read of its body: its ref, and its kept bytes either still buffered or already in an upload. */
export interface PutBody<U extends SpillUpload> {
  ref: BlobRef;
  /** The kept bytes, when no upload was started. */
  pending: Uint8Array[];
  upload: U | undefined;
}

/**
 * The part of `put` every adapter shares: validate the options and the body, hash it and keep at
 * most `capBytes` of it, buffering up to `maxBufferBytes` and past that writing into the upload
 * `newUpload` starts. A failure while reading (the source, the upload) goes to `failed` with the
 * upload begun, so the adapter can clean it up and say what it means in its own errors.
 */
export async function readPutBody<U extends SpillUpload>(
  body: AsyncIterable<Uint8Array> | Uint8Array,
  opts: PutOptions,
  spill: { maxBufferBytes: number; newUpload: () => U; failed: (err: unknown, upload: U | undefined) => Promise<never> },
): Promise<PutBody<U>> {
  validatePutOptions(opts);
  validateBody(body);
  const tap = new BodyHasher(opts.capBytes);
  if (body instanceof Uint8Array) {
    const kept = tap.update(body);
    return { ref: tap.result(), pending: [kept], upload: undefined };
  }
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let upload: U | undefined;
  try {
    for await (const chunk of body) {
      const kept = tap.update(chunk);
      if (kept.length === 0) continue;
      if (upload) {
        await upload.write(kept);
        continue;
      }
      pending.push(kept.slice()); // a copy: sources may reuse their buffers
      pendingBytes += kept.length;
      if (pendingBytes > spill.maxBufferBytes) {
        upload = spill.newUpload();
        for (const p of pending) await upload.write(p);
        pending = [];
      }
    }
  } catch (err) {
    return spill.failed(err, upload);
  }
  return { ref: tap.result(), pending, upload };
}
