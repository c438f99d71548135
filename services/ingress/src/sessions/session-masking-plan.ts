import type { Decision, RequestInfo } from '@chaperone/contracts';
import type { MaskingPlan } from '../context/request-context';
import { GatewayFailure } from '../errors/gateway-errors';
import { sessionRequestOf } from './session-request';

/**
 * How an upgraded session's output is masked. Without a terminal, exec and attach output is text
 * the masking service reads line by line (`lines` mode). A terminal session (raw keystrokes and
 * screen updates) and a port-forward (the agent's own protocol) cannot be masked: they need an
 * allow rule with `unmasked: true`, and are refused here otherwise, before anyone is asked.
 */
export function sessionMaskingPlan(info: RequestInfo, query: string, decision: Decision): MaskingPlan | undefined {
  if (decision.unmasked) return undefined;
  const session = sessionRequestOf(info, query);
  if (session && session.kind !== 'portforward' && !session.tty) return { mode: 'lines', profile: decision.maskProfile };
  const what = session?.tty ? `${session.kind} sessions with a terminal (-t)` : `${session?.kind ?? ((info.isResourceRequest && info.subresource) || 'upgraded')} sessions`;
  throw new GatewayFailure({ kind: 'masking-unavailable', message: `${what} cannot be masked; the policy must allow them with unmasked: true`, forwarded: false });
}
