import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { AuthenticationError, type Authenticator } from '@chaperone/auth';
import { Headers } from '@chaperone/contracts';
import { GatewayFailure } from '../errors/gateway-errors';
import { newEvent, systemClock } from '../events/event-factory';
import { EvidenceWriter } from '../evidence/evidence-writer';
import { AUTHENTICATOR } from '../tokens';
import type { Authenticated, Received } from '../context/request-context';
import { identityHeaderProblem } from './identity-headers';

/**
 * Stage 1: who is asking. Exactly one bearer token, verified (OIDC JWT); a request that tries to
 * carry an identity of its own (a second Authorization, impersonation or front-proxy headers) is
 * refused, never guessed. A refused token is evidence (AuthenticationFailed), stored without
 * holding up the answer.
 */
@Injectable()
export class Authenticate {
  constructor(
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    private readonly evidence: EvidenceWriter,
  ) {}

  async run(ctx: Received): Promise<Authenticated> {
    const { req } = ctx.exchange;
    const traceId = ctx.span.spanContext().traceId;
    const problem = identityHeaderProblem(req.rawHeaders);
    if (problem) throw new GatewayFailure(problem);
    let auth;
    const start = performance.now();
    try {
      auth = await this.authenticator.authenticate(req.headers.authorization);
    } catch (e) {
      if (!(e instanceof AuthenticationError)) throw e;
      const refs = { requestId: ctx.requestId, sessionId: '', traceId, identity: null };
      this.evidence.inBackground(
        newEvent.authenticationFailed(systemClock, refs, { reason: e.reason, method: req.method ?? '', path: pathOf(req), sourceAddress: req.socket.remoteAddress ?? '' }),
      );
      throw new GatewayFailure({ kind: 'unauthenticated', message: e.message });
    } finally {
      ctx.steps.since('authenticate', start);
    }
    ctx.span.setAttributes({ 'chaperone.agent': auth.identity.agent, 'chaperone.session': auth.sessionId });
    if (ctx.exchange.kind === 'http') ctx.exchange.res.setHeader(Headers.sessionId, auth.sessionId);
    return { ...ctx, stage: 'authenticated', refs: { requestId: ctx.requestId, sessionId: auth.sessionId, traceId, identity: auth.identity } };
  }
}

export function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
