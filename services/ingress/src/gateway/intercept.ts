import { Inject, Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { trace, type Span } from '@opentelemetry/api';
import { AuthenticationError, type Authenticator } from '@chaperone/auth';
import { EventNotRecorded, type DurableEventPublisher } from '@chaperone/bus';
import type { ChaperoneEvent, Decision, Identity, RequestInfo } from '@chaperone/contracts';
import { parseRequestInfo } from '@chaperone/k8s-request';
import { EVENTS } from '@chaperone/service-runtime';
import { PolicyClient } from '../decide/policy-client';
import { GatewayFailure } from '../errors/gateway-errors';
import { newEvent, systemClock, type RequestRefs } from '../events/event-factory';
import { AUTHENTICATOR } from '../tokens';

/** A request that passed authentication, parsing and policy: ready to forward, or to hold for approval. */
export interface Admitted {
  refs: RequestRefs & { identity: Identity };
  info: RequestInfo;
  decision: Decision;
  method: string;
  /** The raw path and query as received (what an approval's fingerprint covers). */
  path: string;
  query: string;
  interceptEventId: string;
  decisionEventId: string;
}

/** Per-request bookkeeping shared by the HTTP and upgrade paths. */
export interface RequestTrace {
  requestId: string;
  started: number;
  span: Span;
  /** Set once RequestIntercepted is published: from then on a RequestCompleted must follow. */
  refs?: RequestRefs;
  /** The approval the request waited for or ran under, reported in RequestCompleted. */
  approvalId?: string;
}

function remoteAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? '';
}

/**
 * The admission pipeline every request goes through before anything reaches the cluster:
 * authenticate → derive Kubernetes attributes → record RequestIntercepted → ask policy.
 * Any failure throws a typed GatewayFailure; nothing here writes a response.
 */
@Injectable()
export class Intercept {
  private readonly logger = new Logger('Intercept');

  constructor(
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    @Inject(EVENTS) private readonly events: DurableEventPublisher,
    private readonly policy: PolicyClient,
  ) {}

  async admit(req: IncomingMessage, t: RequestTrace, upgrade: boolean): Promise<Admitted> {
    const traceId = t.span.spanContext().traceId;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let auth;
    try {
      auth = await this.authenticator.authenticate(req.headers.authorization);
    } catch (e) {
      if (!(e instanceof AuthenticationError)) throw e;
      const refs = { requestId: t.requestId, sessionId: '', traceId, identity: null };
      // Recorded in the background: a refused request has nothing to protect by waiting.
      this.record(
        newEvent.authenticationFailed(systemClock, refs, { reason: e.reason, method: req.method ?? '', path, sourceAddress: remoteAddress(req) }),
      );
      throw new GatewayFailure({ kind: 'unauthenticated', message: e.message });
    }

    const parsed = parseRequestInfo(req.method ?? 'GET', req.url ?? '/', { upgrade });
    if (!parsed.ok) throw new GatewayFailure({ kind: 'bad-request', message: parsed.reason });

    const refs = { requestId: t.requestId, sessionId: auth.sessionId, traceId, identity: auth.identity };
    const query = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1) : '';
    const intercepted = newEvent.requestIntercepted(systemClock, refs, {
      method: req.method ?? '',
      path,
      query,
      request: parsed.info,
      userAgent: String(req.headers['user-agent'] ?? ''),
      sourceAddress: remoteAddress(req),
      upgrade,
    });
    t.refs = refs;
    t.span.setAttributes({ 'chaperone.agent': auth.identity.agent, 'k8s.verb': parsed.info.verb, 'chaperone.session': auth.sessionId });

    // Pipelined: the intercept is being stored while policy decides (and stores its decision before
    // replying). Nothing is forwarded until both acknowledgements are in.
    const stored = this.durably(intercepted);
    const decided = this.policy.decide({
      schemaVersion: 1,
      interceptEventId: intercepted.eventId,
      requestId: t.requestId,
      sessionId: auth.sessionId,
      traceId,
      identity: auth.identity,
      request: parsed.info,
    });
    const [storedResult, decidedResult] = await Promise.allSettled([stored, decided]);
    if (storedResult.status === 'rejected') throw storedResult.reason;
    if (decidedResult.status === 'rejected') throw decidedResult.reason;
    const decision = decidedResult.value.decision;
    t.span.setAttributes({ 'chaperone.effect': decision.effect, 'chaperone.rule': decision.rule });
    const admitted: Admitted = {
      refs,
      info: parsed.info,
      decision,
      method: req.method ?? '',
      path,
      query,
      interceptEventId: intercepted.eventId,
      decisionEventId: decidedResult.value.decisionEventId,
    };
    switch (decision.effect) {
      case 'allow':
      case 'mask':
        // Masking is planned from the decision by the gateway (see masking/masking-plan.ts).
        return admitted;
      case 'deny':
        throw new GatewayFailure({ kind: 'denied', rule: decision.rule, reason: decision.reason, policyVersion: decision.policyVersion });
      case 'approve':
        // Held for a human by the gateway (see approval/approval-gate.ts); forwarded only on a claimed grant.
        return admitted;
      default: {
        const unhandled: never = decision.effect;
        throw new Error(`unhandled effect ${String(unhandled)}`);
      }
    }
  }

  /** Store an event durably; a failure is the typed `bus-unavailable` (503, nothing forwarded). */
  async durably(event: ChaperoneEvent): Promise<void> {
    try {
      await this.events.publish(event);
    } catch (e) {
      throw new GatewayFailure({ kind: 'bus-unavailable', message: e instanceof EventNotRecorded ? e.message : 'publish failed' });
    }
  }

  /** Store an event without holding up the caller; failures are logged (never the event's content). */
  record(event: ChaperoneEvent): void {
    this.durably(event).catch((e: unknown) => {
      const why = e instanceof GatewayFailure && e.error.kind === 'bus-unavailable' ? e.error.message : String(e);
      this.logger.error(`${event.type} for request ${event.requestId} was not recorded: ${why}`);
    });
  }

  static span(name: string): Span {
    return trace.getTracer('chaperone-ingress').startSpan(name);
  }
}
