/**
 * Everything that can stop a request inside the gateway, typed. `to-status.ts` maps each to the
 * Kubernetes Status the agent sees; nothing else writes error responses.
 */
export type GatewayError =
  | { kind: 'unauthenticated'; message: string }
  | { kind: 'bad-request'; message: string }
  /** The request tried to carry an identity of its own (impersonation). */
  | { kind: 'identity-refused'; message: string }
  | { kind: 'denied'; rule: string; reason: string; policyVersion: string }
  /** The agent's approval headers are unusable, or the rule's terms refuse the request (e.g. no reason given). */
  | { kind: 'approval-refused'; message: string }
  /** Ticket mode: the approval is pending; the agent retries the identical request once it is approved. */
  | { kind: 'approval-ticket'; rule: string; reason: string; approvalId: string; url: string; expiresAt: string; grantTtlSeconds: number; retryAfterSeconds: number }
  | { kind: 'approval-denied'; approvalId: string; by: string; reason: string }
  /** Expired, cancelled, timed out waiting, or a grant this request cannot use. */
  | { kind: 'approval-not-given'; approvalId: string; message: string }
  | { kind: 'approval-unavailable'; message: string }
  | { kind: 'body-too-large'; limit: number }
  /** The agent is over one of its registered limits. */
  | { kind: 'too-many-requests'; message: string; retryAfterSeconds: number }
  /** `forwarded`: the cluster had answered and its response was withheld; else nothing was sent. */
  | { kind: 'masking-unavailable'; message: string; forwarded: boolean }
  | { kind: 'policy-unavailable'; message: string }
  | { kind: 'bus-unavailable'; message: string }
  /** The rule stores bodies and refuses requests while the blob store cannot take them. */
  | { kind: 'recording-unavailable' }
  | { kind: 'upstream-unavailable'; message: string }
  | { kind: 'upgrade-not-supported'; protocol: string };

/** Thrown inside the pipeline; carries the typed error to the one place that renders it. */
export class GatewayFailure extends Error {
  constructor(readonly error: GatewayError) {
    super(error.kind);
    this.name = 'GatewayFailure';
  }
}
