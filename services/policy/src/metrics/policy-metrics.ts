import { Inject, Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import type { Attributes, Counter, Histogram } from '@opentelemetry/api';
import type { EvaluationReply } from '@chaperone/contracts';
import { DURATION_BUCKETS_SECONDS, Metrics } from '@chaperone/service-runtime';

const FAILED: Attributes = Object.freeze({ 'chaperone.policy.effect': 'none', 'error.type': 'not-recorded' });

/**
 * The policy service's figures:
 * - `chaperone.policy.decision.duration` (s): from the decoded request to the reply, including the
 *   durable write of the intercept and decision, by `chaperone.policy.effect` (a failure, answered
 *   without a decision, has effect "none" and `error.type`);
 * - `chaperone.policy.decisions` by `chaperone.policy.rule` (the rule whose effect won) and effect.
 * Attribute sets are built once per (rule, effect) and reused.
 */
@Injectable()
export class PolicyMetrics {
  private readonly duration: Histogram;
  private readonly decisions: Counter;
  private readonly effectAttrs = new Map<string, Attributes>();
  private readonly ruleAttrs = new Map<string, Map<string, Attributes>>();

  constructor(@Inject(Metrics) metrics: Metrics) {
    this.duration = metrics.meter.createHistogram('chaperone.policy.decision.duration', {
      unit: 's',
      description: 'time to evaluate and durably record one request',
      advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_SECONDS] },
    });
    this.decisions = metrics.meter.createCounter('chaperone.policy.decisions', {
      unit: '{decision}',
      description: 'decisions answered, by winning rule and effect',
    });
  }

  /** Time one evaluation and count its decision; the reply (or the error) passes through. */
  async timed<T extends { reply: EvaluationReply }>(evaluation: Promise<T>): Promise<T> {
    const started = performance.now();
    let evaluated: T;
    try {
      evaluated = await evaluation;
    } catch (e) {
      this.duration.record((performance.now() - started) / 1000, FAILED);
      throw e;
    }
    const { effect, rule } = evaluated.reply.decision;
    this.duration.record((performance.now() - started) / 1000, this.byEffect(effect));
    this.decisions.add(1, this.byRule(rule, effect));
    return evaluated;
  }

  private byEffect(effect: string): Attributes {
    let attrs = this.effectAttrs.get(effect);
    if (!attrs) this.effectAttrs.set(effect, (attrs = Object.freeze({ 'chaperone.policy.effect': effect })));
    return attrs;
  }

  private byRule(rule: string, effect: string): Attributes {
    let byEffect = this.ruleAttrs.get(rule);
    if (!byEffect) this.ruleAttrs.set(rule, (byEffect = new Map()));
    let attrs = byEffect.get(effect);
    if (!attrs) byEffect.set(effect, (attrs = Object.freeze({ 'chaperone.policy.rule': rule, 'chaperone.policy.effect': effect })));
    return attrs;
  }
}
