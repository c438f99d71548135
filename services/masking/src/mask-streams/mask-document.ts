import { maskObject, MaskingFailed, type MaskingProfile, type MaskReport } from '@chaperone/masking';

export interface MaskedDocument {
  output: Buffer;
  report: MaskReport;
}

/**
 * Parse, mask and re-serialise one whole JSON document. The one implementation used on the event
 * loop and in the worker threads, so both give the same bytes and fail with the same message.
 */
export function maskJsonDocument(bytes: Uint8Array, profile: MaskingProfile): MaskedDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    // The parser's message quotes the body: never pass it on.
    throw new MaskingFailed('the response is not JSON');
  }
  const { value, report } = maskObject(parsed, profile);
  return { output: Buffer.from(JSON.stringify(value), 'utf8'), report };
}

/** `bytes` as an ArrayBuffer of its own that can be transferred (moved, not copied) to another thread. */
export function ownArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}
