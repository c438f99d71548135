import { isSecretRead, type ReadModel, type RequestView } from '../read-model';
import { requestRowStart, resourceOf, type RequestRowStart } from './request-fields';

export interface SecretReadRow extends RequestRowStart {
  verb: string;
  namespace: string;
  name: string;
  rule: string;
  maskedValues: number;
  /** True when the response went out unmasked (an `unmasked: true` allow rule). */
  unmasked: boolean;
}

/** CC7.2: the period's reads of secrets the policy let through (allowed or masked; not denied or held ones), in time order. */
export function secretReadRows(model: ReadModel, requests: readonly RequestView[]): SecretReadRow[] {
  const secretReads: SecretReadRow[] = [];
  for (const r of requests) {
    if (!(isSecretRead(r) && r.decision && r.decision.effect !== 'deny' && r.decision.effect !== 'approve')) continue;
    const res = resourceOf(r);
    secretReads.push({
      ...requestRowStart(model, r),
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
