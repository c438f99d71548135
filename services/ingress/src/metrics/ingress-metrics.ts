import { Inject, Injectable } from '@nestjs/common';
import type { Attributes, Counter, Histogram } from '@opentelemetry/api';
import { DURATION_BUCKETS_SECONDS, Metrics } from '@chaperone/service-runtime';
import type { RequestContext } from '../context/request-context';
import { INGRESS_STEPS, type IngressStep } from '../context/step-times';

/** What a request that got no decision (refused before the policy, or the policy did not answer) is counted under. */
const NO_DECISION = 'none';
const NO_VERB = 'none';

/**
 * Bounds for the steps' histogram, in seconds: a step takes a fraction of a millisecond on a
 * healthy deployment, so the bounds start there (the request histogram's bounds start at 5 ms).
 */
export const STEP_BUCKETS_SECONDS: readonly number[] = Object.freeze([0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

/**
 * The ingress's figures, recorded once per request when its exchange ends:
 * - `http.server.request.duration` (s, the OpenTelemetry HTTP semantic convention) by
 *   `http.request.method`, `http.response.status_code`, `chaperone.decision` (the policy effect, or
 *   "none") and `k8s.verb`; its `_count` series is the requests by decision, verb and status;
 * - `chaperone.ingress.refusals` by `error.type` (the gateway error kind: `policy-unavailable` is a
 *   fail-closed 503 because the policy did not answer);
 * - `chaperone.ingress.step.duration` (s) by `chaperone.step`: what the request waited on
 *   (StepTimes), so the time the gateway adds can be told apart: its own work, the policy and the
 *   evidence store, the cluster, masking.
 *
 * The hot path allocates nothing once warm: every attribute set is built once and kept in nested
 * maps keyed by the values themselves (no string is built per request).
 */
@Injectable()
export class IngressMetrics {
  private readonly duration: Histogram;
  private readonly refusals: Counter;
  private readonly steps: Histogram;
  private readonly stepAttrs = new Map<IngressStep, Attributes>(INGRESS_STEPS.map((step) => [step, Object.freeze({ 'chaperone.step': step })]));
  private readonly requestAttrs = new Map<string, Map<string, Map<string, Map<number, Attributes>>>>();
  private readonly refusalAttrs = new Map<string, Attributes>();

  constructor(@Inject(Metrics) metrics: Metrics) {
    this.duration = metrics.meter.createHistogram('http.server.request.duration', {
      unit: 's',
      description: 'Kubernetes API requests through the ingress, from arrival to the end of the exchange',
      advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_SECONDS] },
    });
    this.refusals = metrics.meter.createCounter('chaperone.ingress.refusals', {
      unit: '{request}',
      description: 'requests the ingress answered itself with a Status, by gateway error kind',
    });
    this.steps = metrics.meter.createHistogram('chaperone.ingress.step.duration', {
      unit: 's',
      description: 'what a request waited on: its token verified, the policy decision stored, the cluster, masking, the completion stored',
      advice: { explicitBucketBoundaries: [...STEP_BUCKETS_SECONDS] },
    });
  }

  /** The exchange ended (answered, refused, or the agent left). */
  requestEnded(ctx: RequestContext, now: number): void {
    // A deny is thrown by the evaluate stage itself, so its context never carries the decision.
    const decision = 'decision' in ctx ? ctx.decision.effect : ctx.response.refusal === 'denied' ? 'deny' : NO_DECISION;
    const verb = 'info' in ctx ? ctx.info.verb : NO_VERB;
    const status = ctx.response.gatewayStatus || ctx.response.upstreamStatus;
    this.duration.record((now - ctx.started) / 1000, this.attrsOf(decision, verb, ctx.exchange.req.method ?? '_OTHER', status));
    for (const step of INGRESS_STEPS) {
      const ms = ctx.steps[step];
      if (ms >= 0) this.steps.record(ms / 1000, this.stepAttrs.get(step));
    }
  }

  refused(kind: string): void {
    let attrs = this.refusalAttrs.get(kind);
    if (!attrs) this.refusalAttrs.set(kind, (attrs = Object.freeze({ 'error.type': kind })));
    this.refusals.add(1, attrs);
  }

  private attrsOf(decision: string, verb: string, method: string, status: number): Attributes {
    let byVerb = this.requestAttrs.get(decision);
    if (!byVerb) this.requestAttrs.set(decision, (byVerb = new Map()));
    let byMethod = byVerb.get(verb);
    if (!byMethod) byVerb.set(verb, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map()));
    let attrs = byStatus.get(status);
    if (!attrs) {
      attrs = Object.freeze({
        'http.request.method': method,
        'http.response.status_code': status,
        'chaperone.decision': decision,
        'k8s.verb': verb,
      });
      byStatus.set(status, attrs);
    }
    return attrs;
  }
}
