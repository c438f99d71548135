import type { Identity } from '@chaperone/contracts';
import type { ExportRecord } from '../join/request-joiner';

/**
 * Kubernetes audit events (audit.k8s.io/v1), as the API server writes them at stage
 * ResponseComplete, so tools that read Kubernetes audit logs (Falco, SIEM parsers) read
 * Chaperone's unchanged. Level Metadata: bodies stay in Chaperone's own store.
 */
export interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface ObjectReference {
  resource?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiGroup?: string;
  apiVersion?: string;
  resourceVersion?: string;
  subresource?: string;
}

export interface AuditStatus {
  metadata: Record<string, never>;
  status?: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  /** Absent when the outcome is not known (no response was recorded). */
  code?: number;
}

export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: 'Metadata';
  auditID: string;
  /** ResponseComplete; Panic for a request whose gateway stopped before recording how it ended. */
  stage: 'ResponseComplete' | 'Panic';
  requestURI: string;
  verb: string;
  user: UserInfo;
  impersonatedUser?: UserInfo;
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: ObjectReference;
  responseStatus: AuditStatus;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations: Record<string, string>;
}

/** The audit webhook backend's request body: a batch of events. */
export interface AuditEventList {
  kind: 'EventList';
  apiVersion: 'audit.k8s.io/v1';
  metadata: Record<string, never>;
  items: AuditEvent[];
}

/** Annotation keys: Kubernetes' own for the authorization decision, Chaperone's for the rest. */
export const AuditAnnotations = Object.freeze({
  authorizationDecision: 'authorization.k8s.io/decision',
  authorizationReason: 'authorization.k8s.io/reason',
  decision: 'chaperone.io/decision',
  rule: 'chaperone.io/rule',
  policyVersion: 'chaperone.io/policy-version',
  approvalId: 'chaperone.io/approval-id',
  session: 'chaperone.io/session',
  outcome: 'chaperone.io/outcome',
  masked: 'chaperone.io/masked-values',
  traceId: 'chaperone.io/trace-id',
  reachedCluster: 'chaperone.io/reached-cluster',
  authenticationFailure: 'chaperone.io/authentication-failure',
});

/** MicroTime: RFC 3339 with microseconds, as the API server writes it. */
export function microTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The agent, as Chaperone authenticated it: its name, and its token's subject and issuer. */
function agentUser(identity: Identity): UserInfo {
  return { username: identity.agent, uid: identity.subject, groups: [...identity.groups], extra: { 'chaperone.io/issuer': [identity.issuer] } };
}

/** What the cluster saw: the user Chaperone impersonated. */
function impersonated(identity: Identity): UserInfo {
  return { username: identity.username, groups: [...identity.groups] };
}

const STATUS_REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

function responseStatus(code: number, message?: string): AuditStatus {
  if (code < 400) return { metadata: {}, code };
  return { metadata: {}, status: 'Failure', code, ...(STATUS_REASONS[code] ? { reason: STATUS_REASONS[code] } : {}), ...(message ? { message } : {}) };
}

export function toAuditEvent(record: ExportRecord): AuditEvent {
  if (record.kind === 'authentication-failed') {
    const f = record.failed;
    return {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      auditID: f.requestId,
      stage: 'ResponseComplete',
      requestURI: f.payload.path,
      verb: f.payload.method.toLowerCase(),
      user: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
      sourceIPs: [f.payload.sourceAddress],
      responseStatus: responseStatus(401, f.payload.reason),
      requestReceivedTimestamp: microTime(f.time),
      stageTimestamp: microTime(f.time),
      annotations: { [AuditAnnotations.authenticationFailure]: f.payload.reason, [AuditAnnotations.traceId]: f.traceId },
    };
  }
  const { intercepted, decided, masked } = record;
  const ended = record.kind === 'request' ? record.completed : record.unknown;
  const identity = ended.identity ?? intercepted?.identity ?? null;
  const info = intercepted?.payload.request;
  const decision = decided?.payload.decision;
  const annotations: Record<string, string> = {
    [AuditAnnotations.session]: record.sessionId,
    [AuditAnnotations.outcome]: record.kind === 'request' ? record.completed.payload.outcome : 'unknown',
    [AuditAnnotations.traceId]: ended.traceId,
  };
  if (record.kind === 'outcome-unknown') annotations[AuditAnnotations.reachedCluster] = record.unknown.payload.reachedCluster;
  if (decision) {
    annotations[AuditAnnotations.decision] = decision.effect;
    annotations[AuditAnnotations.rule] = decision.rule;
    annotations[AuditAnnotations.policyVersion] = decision.policyVersion;
    annotations[AuditAnnotations.authorizationDecision] = decision.effect === 'deny' ? 'forbid' : 'allow';
    annotations[AuditAnnotations.authorizationReason] = decision.reason;
  }
  if (ended.payload.approvalId) annotations[AuditAnnotations.approvalId] = ended.payload.approvalId;
  if (masked) annotations[AuditAnnotations.masked] = String(masked.payload.count);
  const query = intercepted?.payload.query;
  const event: AuditEvent = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: record.requestId,
    stage: record.kind === 'request' ? 'ResponseComplete' : 'Panic',
    requestURI: intercepted ? `${intercepted.payload.path}${query ? `?${query}` : ''}` : '',
    verb: info?.verb ?? '',
    user: identity ? agentUser(identity) : { username: 'system:anonymous', groups: ['system:unauthenticated'] },
    ...(identity ? { impersonatedUser: impersonated(identity) } : {}),
    ...(intercepted ? { sourceIPs: [intercepted.payload.sourceAddress], userAgent: intercepted.payload.userAgent } : {}),
    responseStatus:
      record.kind === 'request'
        ? responseStatus(record.completed.payload.status, record.completed.payload.outcome === 'refused' ? decision?.reason : undefined)
        : { metadata: {}, status: 'Failure', reason: 'OutcomeUnknown', message: record.unknown.payload.reason },
    requestReceivedTimestamp: microTime(intercepted?.time ?? ended.time),
    stageTimestamp: microTime(ended.time),
    annotations,
  };
  if (info?.isResourceRequest) {
    event.objectRef = {
      resource: info.resource,
      ...(info.namespace ? { namespace: info.namespace } : {}),
      ...(info.name ? { name: info.name } : {}),
      apiGroup: info.apiGroup,
      apiVersion: info.apiVersion,
      ...(info.subresource ? { subresource: info.subresource } : {}),
    };
  }
  return event;
}

export function auditEventList(items: AuditEvent[]): AuditEventList {
  return { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items };
}
