import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@chaperone/service-runtime';
import { parseRequestInfo } from '@chaperone/k8s-request';
import { DEFAULT_PROFILE, maskCommandQuery } from '@chaperone/masking';
import { GatewayFailure } from '../errors/gateway-errors';
import { newEvent, systemClock } from '../events/event-factory';
import { pathOf } from '../authenticate/authenticate';
import type { Authenticated, Intercepted } from '../context/request-context';

/**
 * Stage 2: what is being asked, as the API server's RequestInfoFactory derives it (verb, resource,
 * subresource, namespace, name). Malformed or ambiguous paths are refused, never guessed. The
 * RequestIntercepted event is built here; from now on the request owes a completion record.
 * An exec's `command` values are masked in the event's query (the rule's profile is not known yet, so
 * the default detectors and secret flags apply); the raw query stays on the context for the upstream
 * call and the approval fingerprint.
 */
@Injectable()
export class RequestInfoStage {
  constructor(@Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity) {}

  run(ctx: Authenticated): Intercepted {
    const { req } = ctx.exchange;
    const upgrade = ctx.exchange.kind === 'upgrade';
    const url = req.url ?? '/';
    const parsed = parseRequestInfo(req.method ?? 'GET', url, { upgrade });
    if (!parsed.ok) throw new GatewayFailure({ kind: 'bad-request', message: parsed.reason });
    const path = pathOf(req);
    const q = url.indexOf('?');
    const query = q === -1 ? '' : url.slice(q + 1);
    const intercepted = newEvent.requestIntercepted(systemClock, ctx.refs, {
      method: req.method ?? '',
      path,
      query: parsed.info.isResourceRequest && parsed.info.subresource === 'exec' ? maskCommandQuery(query, DEFAULT_PROFILE).query : query,
      request: parsed.info,
      userAgent: String(req.headers['user-agent'] ?? ''),
      sourceAddress: req.socket.remoteAddress ?? '',
      upgrade,
      gateway: this.identity.instance,
    });
    ctx.span.setAttribute('k8s.verb', parsed.info.verb);
    return { ...ctx, stage: 'intercepted', info: parsed.info, path, query, intercepted };
  }
}
