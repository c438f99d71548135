import { validateCap } from './body-digest';
import { InvalidArgument, type PutOptions } from './port';

/** Throws InvalidArgument on a bad cap or content type (every adapter checks the same way). */
export function validatePutOptions(opts: PutOptions): void {
  validateCap(opts?.capBytes);
  const contentType = opts.contentType;
  if (contentType !== undefined && (typeof contentType !== 'string' || contentType.length > 256 || /[\r\n]/.test(contentType))) {
    throw new InvalidArgument('contentType must be a string of at most 256 characters without line breaks');
  }
}

/** Throws InvalidArgument unless the body is bytes or an async iterable (of bytes, checked chunk by chunk). */
export function validateBody(body: unknown): asserts body is AsyncIterable<Uint8Array> | Uint8Array {
  if (body instanceof Uint8Array) return;
  if (body === null || typeof body !== 'object' || typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] !== 'function') {
    throw new InvalidArgument('body must be a Uint8Array or an AsyncIterable<Uint8Array>');
  }
}
