import { createHash } from 'node:crypto';

/** What identifies one request for approval: the same parts always give the same fingerprint. */
export interface RequestFingerprintParts {
  /** The requester's token `sub`. */
  subject: string;
  verb: string;
  path: string;
  /** The raw query string, as received (no reordering: a different text is a different request). */
  query: string;
  /** `sha256:<hex>` of the request body, or "" when there is none. */
  bodyDigest: string;
}

/**
 * `sha256:<hex>` over the parts, encoded unambiguously (a JSON array), so that moving text between
 * parts (say, from path to query) always changes the fingerprint. Pure: no time, no randomness.
 */
export function requestFingerprint(parts: RequestFingerprintParts): string {
  const canonical = JSON.stringify([
    'chaperone.approval.v1',
    parts.subject,
    parts.verb,
    parts.path,
    parts.query,
    parts.bodyDigest,
  ]);
  return `sha256:${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
}
