import { createHash } from 'node:crypto';

/**
 * The PolicyDecided event id is derived from the intercept it answers, so a redelivered or 
 * evaluation request yields the same event id and the evidence store keeps one decision per request.
 */
export function decisionEventId(interceptEventId: string): string {
  const h = createHash('sha256').update(`PolicyDecided/${interceptEventId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
