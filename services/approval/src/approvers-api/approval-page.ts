import type { ApprovalStatus } from '@chaperone/contracts';
import type { ApprovalReadModel, KnownApproval } from '../lifecycle/read-model';
import type { Place } from '../lifecycle/requested-order';

/** GET /approvals, parsed: which approvals, in which order, and which page of them. */
export interface ApprovalListQuery {
  /** `decided`: every status but pending (the inbox's history). */
  status: ApprovalStatus | 'all' | 'decided';
  namespace?: string | undefined;
  agent?: string | undefined;
  rule?: string | undefined;
  olderThanSeconds?: number | undefined;
  order: 'oldest' | 'newest';
  /** Absent: every match (the CLI's list); otherwise one page. */
  limit?: number | undefined;
  after?: Place | undefined;
}

export interface ApprovalPage {
  items: KnownApproval[];
  /** Matches the caller may see, all pages together. */
  total: number;
  /** The cursor of the next page; absent on the last one. */
  next?: string;
}

export class InvalidCursor extends Error {
  override readonly name = 'InvalidCursor';
}

export function encodePlace(p: Place): string {
  return Buffer.from(`${p.requestedAt}\n${p.approvalId}`, 'utf8').toString('base64url');
}

export function decodePlace(cursor: string): Place {
  const [requestedAt, approvalId, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('\n');
  if (!requestedAt || !approvalId || rest.length > 0 || Number.isNaN(Date.parse(requestedAt))) throw new InvalidCursor('cursor must be the `next` value of a previous page');
  return { requestedAt, approvalId };
}

/**
 * One page of the approvals a caller may see, from the read model's requested-at order: the pending
 * list alone for the inbox (it never reads the history), every approval otherwise. The page starts
 * right after the cursor's place; `total` counts every visible match, so the inbox can say how many
 * wait without loading them.
 */
export function approvalPage(readModel: ApprovalReadModel, q: ApprovalListQuery, visible: (s: KnownApproval) => boolean, now: number): ApprovalPage {
  const order = readModel.ordered(q.status === 'pending' ? 'pending' : 'all');
  const matches = (s: KnownApproval): boolean =>
    (q.status === 'all' || (q.status === 'decided' ? s.status !== 'pending' : s.status === q.status)) &&
    (q.namespace === undefined || s.terms.request.namespace === q.namespace) &&
    (q.agent === undefined || s.terms.requester.agent === q.agent) &&
    (q.rule === undefined || s.terms.rule === q.rule) &&
    (q.olderThanSeconds === undefined || now - Date.parse(s.terms.requestedAt) >= q.olderThanSeconds * 1000) &&
    visible(s);
  // Positions are read oldest first or newest first; the cursor splits them into before and after.
  const newest = q.order === 'newest';
  const split = q.after === undefined ? undefined : order.rank(q.after);
  const items: KnownApproval[] = [];
  let total = 0;
  let afterCursor = 0;
  for (let k = 0; k < order.size; k++) {
    const i = newest ? order.size - 1 - k : k;
    const place = order.at(i);
    const state = readModel.get(place.approvalId);
    if (!state || !matches(state)) continue;
    total++;
    const past = split === undefined || (newest ? i < split : i > split || (i === split && !samePlace(place, q.after)));
    if (!past) continue;
    afterCursor++;
    if (q.limit === undefined || items.length < q.limit) items.push(state);
  }
  const last = items.at(-1);
  return { items, total, ...(last && afterCursor > items.length ? { next: encodePlace({ requestedAt: last.terms.requestedAt, approvalId: last.terms.approvalId }) } : {}) };
}

const samePlace = (a: Place, b: Place | undefined): boolean => b !== undefined && a.requestedAt === b.requestedAt && a.approvalId === b.approvalId;
