import { createHash } from 'node:crypto';

const SAFE = /^[A-Za-z0-9_:-]{1,150}$/;

/**
 * The store stream an event belongs to: one per agent session. Session ids come from tokens, so an
 * id that is not a safe stream-name token is replaced by its hash (stable, collision-resistant).
 * Events of requests that never authenticated have no session and share one stream.
 */
export function streamFor(sessionId: string): string {
  if (sessionId === '') return 'unauthenticated';
  return SAFE.test(sessionId) ? `session-${sessionId}` : `session-h${createHash('sha256').update(sessionId).digest('hex').slice(0, 40)}`;
}
