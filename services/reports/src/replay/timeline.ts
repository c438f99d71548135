import type { TimelineEntry } from '@chaperone/contracts';
import { bodyLinks } from '../bodies/body-links';
import { recordingLink } from '../bodies/recording-link';
import type { ReadModel, RequestView } from '../read-model';

export function requestTimeline(model: ReadModel, r: RequestView): TimelineEntry {
  const info = r.info;
  const approvalId = model.approvalByRequest.get(r.requestId);
  const approval = approvalId ? model.approvals.get(approvalId) : undefined;
  return {
    requestId: r.requestId,
    time: r.time,
    method: r.method,
    path: r.path,
    query: r.query,
    verb: info?.verb ?? '',
    apiGroup: info?.isResourceRequest ? info.apiGroup : '',
    resource: info?.isResourceRequest ? info.resource : '',
    subresource: info?.isResourceRequest ? info.subresource : '',
    namespace: info?.isResourceRequest ? info.namespace : '',
    name: info?.isResourceRequest ? info.name : '',
    decision: r.decision ? { effect: r.decision.effect, rule: r.decision.rule, policyVersion: r.decision.policyVersion, reason: r.decision.reason } : null,
    maskedValues: r.masking?.count ?? 0,
    maskedPaths: r.masking?.paths ?? [],
    approval: approval
      ? {
          approvalId: approval.approvalId,
          status: approval.status,
          approvers: approval.votes.map((v) => v.approver.username),
          reason: approval.reason,
        }
      : null,
    outcome: r.completion?.outcome ?? null,
    status: r.completion?.status ?? null,
    latencyMs: r.completion?.durationMs ?? null,
    requestBody: r.completion?.requestBody?.digest ?? null,
    bodies: bodyLinks(r),
    recording: recordingLink(r),
    eventIds: r.eventIds,
  };
}
