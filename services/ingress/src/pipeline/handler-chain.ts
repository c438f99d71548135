import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { context, trace } from '@opentelemetry/api';
import { Headers } from '@chaperone/contracts';
import { Authenticate } from '../authenticate/authenticate';
import { HoldForApproval } from '../approval/hold-for-approval';
import { Complete } from '../complete/complete';
import { clientConnection, clientGone, type Exchange } from '../context/exchange';
import { isRecorded, type Received, type RequestContext } from '../context/request-context';
import { ResponseRecord } from '../context/response-record';
import { StepTimes } from '../context/step-times';
import { RecordAndEvaluate } from '../evaluate/record-and-evaluate';
import { Forward } from '../forward/forward';
import { IngressMetrics } from '../metrics/ingress-metrics';
import { EnforceLimits } from '../limits/enforce-limits';
import { MaskAhead } from '../masking/mask-ahead';
import { OpenMasking } from '../masking/open-masking';
import { PlanMasking } from '../masking/plan-masking';
import { RequestInfoStage } from '../request-info/request-info';
import { AnswerReview } from '../review/answer-review';
import { Refuse } from './refuse';

const tracer = trace.getTracer('chaperone-ingress');

/**
 * The ingress's handler chain, composed once, read top to bottom: every request and every upgrade
 * (exec, attach, port-forward) goes through the same stages. Each stage takes the context the one
 * before it produced; a stage that refuses throws a typed GatewayFailure, which `refuse` renders as
 * the Kubernetes Status the agent sees. Nothing reaches the cluster before `recordAndEvaluate` has
 * the intercept and the decision durably stored; every intercepted request ends with exactly one
 * RequestCompleted (stored by `forward` once it owns the answer, else when the exchange closes).
 */
@Injectable()
export class HandlerChain {
  constructor(
    private readonly authenticate: Authenticate,
    private readonly requestInfo: RequestInfoStage,
    private readonly maskAhead: MaskAhead,
    private readonly recordAndEvaluate: RecordAndEvaluate,
    private readonly enforceLimits: EnforceLimits,
    private readonly planMasking: PlanMasking,
    private readonly holdForApproval: HoldForApproval,
    private readonly openMasking: OpenMasking,
    private readonly forward: Forward,
    private readonly complete: Complete,
    private readonly refuse: Refuse,
    private readonly metrics: IngressMetrics,
    private readonly answerReview: AnswerReview,
  ) {}

  handle(exchange: Exchange): Promise<void> {
    const start = received(exchange);
    // A sampled (exported) span is the active one while the request runs, so every NATS message it
    // sends carries its trace; unsampled, no context is entered (tracing off costs nothing here).
    return start.span.isRecording() ? context.with(trace.setSpan(context.active(), start.span), () => this.run(start)) : this.run(start);
  }

  private async run(start: Received): Promise<void> {
    const exchange = start.exchange;
    let reached: RequestContext = start;
    const at = <T extends RequestContext>(ctx: T): T => {
      reached = ctx;
      return ctx;
    };
    clientConnection(exchange).on('close', () => this.closed(reached));
    try {
      const authenticated = at(await this.authenticate.run(reached as Received));
      const intercepted = at(this.maskAhead.run(this.requestInfo.run(authenticated)));
      const decided = at(await this.recordAndEvaluate.run(intercepted));
      if (decided.review) return await this.answerReview.run(decided, decided.review.spec, decided.review.answer);
      const planned = at(this.planMasking.run(this.enforceLimits.run(decided)));
      const cleared = at(await this.holdForApproval.run(planned));
      if (clientGone(exchange)) return;
      const prepared = at(await this.openMasking.run(cleared));
      if (clientGone(exchange)) return;
      at(this.forward.run(prepared));
    } catch (e) {
      this.refuse.render(reached, e);
    }
  }

  /** The exchange ended: its span ends, it is counted, and a completion not owned by `forward` is stored now. */
  private closed(reached: RequestContext): void {
    if (isRecorded(reached) && reached.stage !== 'forwarded') this.complete.atEnd(reached);
    this.maskAhead.settle(reached);
    this.metrics.requestEnded(reached, performance.now());
    reached.span.end();
  }
}

function received(exchange: Exchange): Received {
  const requestId = randomUUID();
  if (exchange.kind === 'http') exchange.res.setHeader(Headers.requestId, requestId);
  return { stage: 'received', exchange, requestId, started: performance.now(), span: tracer.startSpan('kubernetes.request'), response: new ResponseRecord(), steps: new StepTimes() };
}
