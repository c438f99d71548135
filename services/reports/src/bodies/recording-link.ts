import type { RecordingLink } from '@chaperone/contracts';
import type { RequestView } from '../read-model';

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
