/**
 * Masking one whole JSON document: the one implementation used on the event loop and in the worker
 * threads, so both give the same bytes and fail with the same message. The engine masks the bytes
 * in one pass without building the object tree; its output and failures are those of parsing,
 * masking the tree and serialising (`the response is not JSON`, ...): see docs/masking.md.
 */
export { maskJsonDocument } from '@chaperone/masking';
export type { MaskedJson as MaskedDocument } from '@chaperone/masking';

/** `bytes` as an ArrayBuffer of its own that can be transferred (moved, not copied) to another thread. */
export function ownArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}
