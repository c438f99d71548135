import type { ReadModel, RequestView } from '../read-model';
import { requestRowStart, resourceColumns, resourceOf, type RequestRowStart } from './request-fields';

export interface DenialRow extends RequestRowStart {
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
    denials.push({ ...requestRowStart(model, r), ...resourceColumns(res), rule: r.decision.rule, policyVersion: r.decision.policyVersion, reason: r.decision.reason });
  }
  return denials;
}
