import type { RequestView } from '../read-model';

/**
 * What the evidence says about an exec or attach session's recording (ExecSessionRecorded.recording,
 * an asciicast v2 file, masked when it was stored), for readers following the link:
 * - `stored`: in the blob store (`href` serves it; `deferred` when the ingress had to store it later);
 * - `pruned`: deleted by retention (`prunedAsOf`).
 */
export interface RecordingLink {
  state: 'stored' | 'pruned';
  format: 'asciicast-v2';
  digest: string;
  size: number;
  /** Events past CHAPERONE_EXEC_RECORDING_MAX_BYTES were not recorded. */
  truncated: boolean;
  deferred?: boolean;
  prunedAsOf?: string;
  /** The recording route of the reports API, relative to its root; only while the blob is stored. */
  href?: string;
}

export function recordingHref(r: Pick<RequestView, 'sessionId' | 'requestId'>): string {
  return `/sessions/${encodeURIComponent(r.sessionId)}/requests/${encodeURIComponent(r.requestId)}/recording`;
}

/** The link to a request's session recording; null for a request that is not a recorded exec or attach. */
export function recordingLink(r: RequestView): RecordingLink | null {
  const rec = r.execSession?.recording;
  if (!rec) return null;
  const base = { format: rec.format, digest: rec.digest, size: rec.size, truncated: rec.truncated };
  const pruned = r.prunedBodies.find((p) => p.field === 'recording' && p.storedDigest === rec.digest);
  if (pruned) return { state: 'pruned', ...base, prunedAsOf: pruned.asOf };
  const deferred = r.deferredBodies.some((d) => d.body === 'session' && d.storedDigest === rec.digest);
  return { state: 'stored', ...base, ...(deferred ? { deferred } : {}), href: recordingHref(r) };
}
