import { performance } from 'node:perf_hooks';
import type { Forwarded } from '../../context/request-context';
import { newEvent, systemClock } from '../../events/event-factory';
import { SessionRelay, type RelaySides } from '../relay/session-relay';
import type { SessionDeps } from '../session-deps';
import type { SessionRequest } from '../session-request';
import { PortForwardSession } from './port-forward-session';

/** Runs a port-forward from the cluster's 101 to its end, then stores PortForwardRecorded and the completion. */
export async function runPortForward(ctx: Forwarded, session: { request: SessionRequest; protocol: string; sides: RelaySides }, deps: SessionDeps): Promise<void> {
  const t0 = performance.now();
  const handler = new PortForwardSession(session.protocol);
  const ending = await new SessionRelay(session.sides, deps.limits).run(handler);
  deps.evidence.inBackground(
    newEvent.portForwardRecorded(systemClock, ctx.refs, {
      pod: session.request.pod,
      namespace: session.request.namespace,
      protocol: session.protocol,
      ports: [...new Set([...session.request.ports, ...handler.ports])].slice(0, 100),
      ended: ending,
      bytesFromAgent: handler.bytesFromAgent,
      bytesToAgent: handler.bytesToAgent,
      durationMs: Math.round((performance.now() - t0) * 1000) / 1000,
    }),
  );
  ctx.response.bytesOut = handler.bytesToAgent;
  deps.complete.atEnd(ctx);
}
