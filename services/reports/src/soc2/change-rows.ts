import type { RequestTarget } from '@chaperone/contracts';
import { isChange, type ReadModel, type RequestView } from '../read-model';
import { bodyLink } from '../bodies/body-links';
import { requestRowStart, resourceOf, type RequestRowStart } from './request-fields';

export interface ChangeRow extends RequestRowStart, RequestTarget {
  decision: string;
  rule: string;
  policyVersion: string;
  approvalId: string;
  approvalStatus: string;
  approvers: string;
  requestBodyDigest: string;
  /** What the evidence kept of the request body: stored, pruned (retention), digest-only, or '' (nothing). */
  requestBodyRecorded: string;
  /** The reports API route serving the stored request body ('' when it is not stored). */
  requestBodyUrl: string;
  outcome: string;
  status: number | null;
  /** intercepted;decided;completed event ids: the links an auditor follows into the store. */
  eventIds: string;
}

/** CC8.1: the period's requests that change the cluster, whatever their decision, with their approval and recorded body. */
export function changeRows(model: ReadModel, requests: readonly RequestView[]): ChangeRow[] {
  const changes: ChangeRow[] = [];
  for (const r of requests) {
    if (!isChange(r)) continue;
    const approvalId = model.approvalByRequest.get(r.requestId);
    const approval = approvalId ? model.approvals.get(approvalId) : undefined;
    const body = bodyLink(r, 'request');
    changes.push({
      ...requestRowStart(model, r),
      ...resourceOf(r),
      decision: r.decision?.effect ?? '',
      rule: r.decision?.rule ?? '',
      policyVersion: r.decision?.policyVersion ?? '',
      approvalId: approvalId ?? '',
      approvalStatus: approval?.status ?? '',
      approvers: approval ? approval.votes.map((v) => `${v.approver.username}:${v.vote}`).join(' ') : '',
      requestBodyDigest: r.completion?.requestBody?.digest ?? '',
      requestBodyRecorded: body?.state ?? '',
      requestBodyUrl: body?.href ?? '',
      outcome: r.completion?.outcome ?? '',
      status: r.completion?.status ?? null,
      eventIds: [r.eventIds.intercepted ?? '', r.eventIds.decided ?? '', r.eventIds.completed ?? ''].join(';'),
    });
  }
  return changes;
}
