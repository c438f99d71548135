import { ownerOf, type ReadModel, type RequestView } from '../read-model';
import { resourceColumns, resourceOf } from './request-fields';

export interface DenialRow {
  time: string;
  requestId: string;
  sessionId: string;
  agent: string;
  owner: string;
  verb: string;
  resource: string;
  namespace: string;
  name: string;
  rule: string;
  policyVersion: string;
  reason: string;
}

/** CC7.2: the period's requests the policy denied, in time order. */
export function denialRows(model: ReadModel, requests: readonly RequestView[]): DenialRow[] {
  const denials: DenialRow[] = [];
  for (const r of requests) {
    if (r.decision?.effect !== 'deny') continue;
    const res = resourceOf(r);
    denials.push({ time: r.time, requestId: r.requestId, sessionId: r.sessionId, agent: r.agent, owner: ownerOf(model, r.agent) ?? '', ...resourceColumns(res), rule: r.decision.rule, policyVersion: r.decision.policyVersion, reason: r.decision.reason });
  }
  return denials;
}
