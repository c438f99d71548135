/**
 * Everything that can stop a request inside the gateway, typed. `to-status.ts` maps each to the
 * Kubernetes Status the agent sees; nothing else writes error responses.
 */
export type GatewayError =
  | { kind: 'unauthenticated'; message: string }
  | { kind: 'bad-request'; message: string }
  | { kind: 'denied'; rule: string; reason: string; policyVersion: string }
  | { kind: 'approval-required'; rule: string; reason: string }
  | { kind: 'masking-unavailable'; message: string }
  | { kind: 'policy-unavailable'; message: string }
  | { kind: 'bus-unavailable'; message: string }
  | { kind: 'upstream-unavailable'; message: string }
  | { kind: 'upgrade-not-supported'; protocol: string };

/** Thrown inside the pipeline; carries the typed error to the one place that renders it. */
export class GatewayFailure extends Error {
  constructor(readonly error: GatewayError) {
    super(error.kind);
    this.name = 'GatewayFailure';
  }
}
