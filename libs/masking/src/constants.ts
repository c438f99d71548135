/** Replacement marker for masked text. */
export const MASK = '***MASKED***';

/** Replacement for base64-encoded fields (Secret `data`, ConfigMap `binaryData`): still valid base64. */
export const MASKED_BASE64 = Buffer.from(MASK).toString('base64');

/** The annotation `kubectl apply` writes; after applying a Secret it holds the whole Secret as JSON. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Masking could not vouch for its output (malformed watch event, oversized event, unsupported value,
 * unknown profile...). Callers must treat it as "masking unavailable" and withhold the response.
 * The message never contains any part of the input.
 */
export class MaskingFailed extends Error {
  override readonly name = 'MaskingFailed';
  constructor(message: string) {
    super(message);
  }
}
