import { performance } from 'node:perf_hooks';

/**
 * The parts of a request's time spent waiting on something other than the agent: verifying its
 * token, the policy's decision with the intercept and decision stored, the cluster up to its
 * response head, masking the response, and storing the completion before the last byte.
 */
export type IngressStep = 'authenticate' | 'decide' | 'upstream' | 'mask' | 'complete';

export const INGRESS_STEPS: readonly IngressStep[] = ['authenticate', 'decide', 'upstream', 'mask', 'complete'];

/**
 * How long each step of one request took, in ms (NaN: not reached), written by the stage that
 * waited and read once when the exchange ends (the step-duration metric). One object per request
 * with a fixed shape: timing a step allocates nothing.
 */
export class StepTimes {
  authenticate = NaN;
  decide = NaN;
  upstream = NaN;
  mask = NaN;
  complete = NaN;

  /** `step` took from `start` (performance.now()) until now. */
  since(step: IngressStep, start: number): void {
    this[step] = performance.now() - start;
  }
}
