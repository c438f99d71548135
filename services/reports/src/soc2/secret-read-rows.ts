import { isSecretRead, ownerOf, type ReadModel, type RequestView } from '../read-model';
import { resourceOf } from './request-fields';

export interface SecretReadRow {
  time: string;
  requestId: string;
  sessionId: string;
  agent: string;
  owner: string;
  verb: string;
  namespace: string;
  name: string;
  rule: string;
  maskedValues: number;
  /** True when the response went out unmasked (an `unmasked: true` allow rule). */
  unmasked: boolean;
}

/** CC7.2: the period's reads of secrets the policy let through (allowed or masked; approvals count as changes), in time order. */
export function secretReadRows(model: ReadModel, requests: readonly RequestView[]): SecretReadRow[] {
  const secretReads: SecretReadRow[] = [];
  for (const r of requests) {
    if (!(isSecretRead(r) && r.decision && r.decision.effect !== 'deny' && r.decision.effect !== 'approve')) continue;
    const res = resourceOf(r);
    secretReads.push({
      time: r.time,
      requestId: r.requestId,
      sessionId: r.sessionId,
      agent: r.agent,
      owner: ownerOf(model, r.agent) ?? '',
      verb: res.verb,
      namespace: res.namespace,
      name: res.name,
      rule: r.decision.rule,
      maskedValues: r.masking?.count ?? 0,
      unmasked: r.masking === null,
    });
  }
  return secretReads;
}
