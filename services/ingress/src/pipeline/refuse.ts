import { Injectable, Logger } from '@nestjs/common';
import { SpanStatusCode } from '@opentelemetry/api';
import { Headers } from '@chaperone/contracts';
import { respondWithStatus } from '../context/exchange';
import type { RequestContext } from '../context/request-context';
import { ClientGone } from '../errors/client-gone';
import { GatewayFailure, type GatewayError } from '../errors/gateway-errors';
import { statusHeaders, toStatus } from '../errors/to-status';
import { IngressMetrics } from '../metrics/ingress-metrics';

/** The one place a stage's failure becomes what the agent sees: a Kubernetes Status. */
@Injectable()
export class Refuse {
  private readonly logger = new Logger('Gateway');

  constructor(private readonly metrics: IngressMetrics) {}

  render(reached: RequestContext, e: unknown): void {
    // Nobody is left to answer (the client went away while its body was read or it was held).
    if (e instanceof ClientGone) {
      reached.response.approvalId ??= e.approvalId;
      return;
    }
    let error: GatewayError;
    if (e instanceof GatewayFailure) {
      error = e.error;
    } else {
      this.logger.error(`request ${reached.requestId} failed unexpectedly: ${e instanceof Error ? e.message : String(e)}`);
      reached.span.setStatus({ code: SpanStatusCode.ERROR });
      error = { kind: 'upstream-unavailable', message: 'internal gateway error' };
    }
    if ('approvalId' in error) reached.response.approvalId = error.approvalId;
    this.metrics.refused(error.kind);
    reached.response.refusal = error.kind;
    const status = toStatus(error);
    reached.response.gatewayStatus = status.code;
    const headers = reached.exchange.kind === 'upgrade' ? { ...statusHeaders(error), [Headers.requestId]: reached.requestId } : statusHeaders(error);
    respondWithStatus(reached.exchange, status, headers);
  }
}
