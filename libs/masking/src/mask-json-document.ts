import { MaskingFailed } from './constants';
import { maskJsonBytesOnly } from './json-bytes/mask-json-bytes';
import { maskObject } from './mask-object';
import { compileProfile, type MaskingProfile } from './profile';
import type { MaskReport } from './report';

export interface MaskedJson {
  output: Buffer;
  report: MaskReport;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The reference: parse the whole document, mask the object tree, serialise it. Input that is not
 * JSON (or not UTF-8 JSON.parse accepts) fails with `the response is not JSON`.
 */
export function maskJsonDocumentByTree(bytes: Uint8Array, profile: MaskingProfile): MaskedJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(asBuffer(bytes).toString('utf8'));
  } catch {
    // The parser's message quotes the body: never pass it on.
    throw new MaskingFailed('the response is not JSON');
  }
  const { value, report } = maskObject(parsed, profile);
  return { output: Buffer.from(JSON.stringify(value), 'utf8'), report };
}

/**
 * Mask one whole JSON document (a get, list or Table response). One pass over the bytes, without
 * building the object tree (json-bytes/); the few documents that pass cannot mirror (duplicate
 * keys, array-index keys, invalid UTF-8, absurd nesting, anything not JSON) are masked by the tree
 * masker instead. Either way the output and report are those of maskJsonDocumentByTree, and so is
 * the failure: MaskingFailed, never quoting the input. The output may be a view of a larger buffer.
 */
export function maskJsonDocument(bytes: Uint8Array, profile: MaskingProfile): MaskedJson {
  try {
    const { output, report } = maskJsonBytesOnly(asBuffer(bytes), compileProfile(profile));
    return { output, report: report.snapshot() };
  } catch {
    // NeedsTree, or anything unforeseen: the reference path decides (and gives the reference error).
  }
  return maskJsonDocumentByTree(bytes, profile);
}
