import type { BodyLink, RecordedBody } from '@chaperone/contracts';
import type { RequestView } from '../read-model';

export const BODY_KINDS = Object.freeze(['request', 'response'] as const);
export type BodyKind = (typeof BODY_KINDS)[number];

const FIELD: Record<BodyKind, 'requestBody' | 'responseBody'> = { request: 'requestBody', response: 'responseBody' };

export function bodyHref(r: Pick<RequestView, 'sessionId' | 'requestId'>, kind: BodyKind): string {
  return `/sessions/${encodeURIComponent(r.sessionId)}/requests/${encodeURIComponent(r.requestId)}/body/${kind}`;
}

/** The link for one body of a request; null when nothing of it was recorded. */
export function bodyLink(r: RequestView, kind: BodyKind): BodyLink | null {
  const body: RecordedBody | undefined = r.completion?.[FIELD[kind]];
  if (!body) return null;
  const base = { digest: body.digest, size: body.size };
  const s = body.stored;
  if (!s) return { state: 'digest-only', ...base };
  const stored = { digest: s.digest, size: s.size, truncated: s.truncated, timed: s.timed === true };
  const pruned = r.prunedBodies.find((p) => p.field === FIELD[kind] && p.storedDigest === s.digest);
  if (pruned) return { state: 'pruned', ...base, stored, prunedAsOf: pruned.asOf };
  const deferred = r.deferredBodies.some((d) => d.body === kind && d.storedDigest === s.digest);
  return { state: 'stored', ...base, stored, ...(deferred ? { deferred } : {}), href: bodyHref(r, kind) };
}

/** Both bodies' links, as timelines and reports carry them. */
export function bodyLinks(r: RequestView): Record<BodyKind, BodyLink | null> {
  return { request: bodyLink(r, 'request'), response: bodyLink(r, 'response') };
}
