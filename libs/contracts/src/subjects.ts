import type { ChaperoneEventType } from './events';

/**
 * The bus, read as a table. Every subject and JetStream stream Chaperone uses is built here and
 * nowhere else. `<p>` is the bus prefix (CHAPERONE_BUS_PREFIX, default "chaperone"): deployments
 * (and test runs) that share one NATS use different prefixes and never see each other's traffic.
 *
 * | subject                               | pattern       | publisher       | consumer (queue group)      |
 * |---------------------------------------|---------------|-----------------|-----------------------------|
 * | <p>.policy.evaluate                   | request/reply | ingress         | policy (<p>-policy)         |
 * | <p>.masking.document                  | request/reply | ingress         | masking (<p>-masking)       |
 * | <p>.masking.open                      | request/reply | ingress         | masking (<p>-masking)       |
 * | <p>.masking.s.<session>               | request/reply | ingress         | the replica that opened it  |
 * | <p>.events.p<N>.<EventType>           | JetStream     | ingress, policy | audit (durable <p>-audit-pN)|
 * | <p>-audit-leases (KV bucket)          | key-value     | audit           | audit (who consumes which N)|
 * | <p>-ingress-replicas (KV bucket)      | key-value     | ingress         | audit's reconciler (liveness)|
 * | <p>-reconciler-lease (KV bucket)      | key-value     | audit           | audit (one reconciler leads)|
 * | <p>.health.<service>                  | request/reply | operators       | every replica (no group)    |
 * | <p>.evidence.<kind>.<stream>          | JetStream     | audit, approval | projections (event store)   |
 * | <p>.approval.open                     | request/reply | ingress         | approval (<p>-approval)     |
 * | <p>.approval.claim                    | request/reply | ingress         | approval (<p>-approval)     |
 * | <p>.approval.get                      | request/reply | ingress         | approval (<p>-approval)     |
 * | <p>.approval.cancel                   | request/reply | ingress         | approval (<p>-approval)     |
 * | <p>.approval.changed.<approvalId>     | publish       | approval        | waiting ingress, console    |
 *
 * A message on the events stream holds one event, or a JSON array of several events of one partition
 * in order (the policy service stores an intercept and its decision in one write; writers commit the
 * writes they ask for together as one message per partition); its subject names the last event's
 * type, and its message id is that event's id (one writer's message) or a digest of all its events'
 * ids (a group's).
 *
 * Events are partitioned by session (N = hash(sessionId) mod EVENT_PARTITIONS): each partition is
 * consumed, in order, by the one audit replica that holds its lease, so a session's events are
 * stored in bus order even with several audit replicas, while partitions proceed in parallel. A
 * message carries one event or several of one partition (events-message.ts).
 *
 * The approval service writes its lifecycle events straight into the event store (stream
 * `approval-<id>`), not through the events stream: it needs expected revisions to decide once.
 * `approval.changed` is core NATS, a hint only: whoever waits on it also polls `approval.get`.
 *
 * In the event store, `<kind>` is the stream name's leading word (`session`, `approval`, `agent`,
 * `checkpoints`, `recordings`), so a projection of one kind (the approval read model) gets a
 * consumer the server filters: it is never sent the sessions' events.
 */
export const DEFAULT_BUS_PREFIX = 'chaperone';
/** Changing this re-partitions the bus: drain the events stream first. */
export const EVENT_PARTITIONS = 8;

export const ServiceNames = Object.freeze(['ingress', 'policy', 'masking', 'approval', 'audit', 'reports', 'mcp', 'exporter', 'console'] as const);
export type ServiceName = (typeof ServiceNames)[number];

export interface BusSubjects {
  readonly prefix: string;
  readonly policyEvaluate: string;
  /** A small document masked in one request (MASK_DOCUMENT_MAX_BYTES), no stream. */
  readonly maskDocument: string;
  readonly maskOpen: string;
  /** A masking stream's own subject, served by the replica that opened it. */
  maskSession(session: string): string;
  /** Wildcard over every evidence event. */
  readonly eventsAll: string;
  /** Wildcard over one partition's events. */
  eventsInPartition(partition: number): string;
  event(type: ChaperoneEventType, sessionId: string): string;
  health(service: ServiceName): string;
  /** Queue groups: replicas of one service share a group, so each message is handled once. */
  queue(service: ServiceName): string;
  /** JetStream stream holding the bus's evidence events until the audit service stores them. */
  readonly eventsStream: string;
  /** Durable consumer name of the audit service for one partition. */
  auditConsumer(partition: number): string;
  /** JetStream KV bucket of the audit replicas' partition leases (one key per partition). */
  readonly auditLeaseBucket: string;
  /** JetStream KV bucket where each ingress replica announces itself (`replica.<id>`, every second). */
  readonly ingressReplicaBucket: string;
  /** JetStream KV bucket of the reconciler's lease: one audit replica reconciles at a time. */
  readonly reconcilerLeaseBucket: string;
  /** JetStream stream (and subject prefix) of the evidence event store's JetStream adapter. */
  readonly evidenceStream: string;
  readonly evidenceSubjectPrefix: string;
  /** Approval requests/replies (OpenApproval, ClaimGrant, GetApproval, CancelApproval). */
  readonly approvalOpen: string;
  readonly approvalClaim: string;
  readonly approvalGet: string;
  readonly approvalCancel: string;
  /** ApprovalChanged for one approval, published after each stored lifecycle event. */
  approvalChanged(approvalId: string): string;
  /** Wildcard over every approval's ApprovalChanged. */
  readonly approvalChangedAll: string;
  /** JetStream object store bucket where the reports service keeps its read-model snapshot (state + checkpoint). */
  readonly reportsSnapshotBucket: string;
  /** JetStream key-value bucket where the exporter keeps each sink's checkpoint (one key per sink). */
  readonly exporterCheckpointBucket: string;
}

const PREFIX = /^[a-z][a-z0-9-]{0,31}$/;

/** The subject table for one bus prefix. Throws on a prefix that is not a safe subject token. */
export function busSubjects(prefix: string = DEFAULT_BUS_PREFIX): BusSubjects {
  if (!PREFIX.test(prefix)) {
    throw new Error(`bus prefix "${prefix.slice(0, 40)}" is invalid: use 1-32 lower-case letters, digits or '-', starting with a letter`);
  }
  const upper = prefix.toUpperCase().replace(/-/g, '_');
  return Object.freeze({
    prefix,
    policyEvaluate: `${prefix}.policy.evaluate`,
    maskDocument: `${prefix}.masking.document`,
    maskOpen: `${prefix}.masking.open`,
    maskSession: (session: string) => `${prefix}.masking.s.${session}`,
    eventsAll: `${prefix}.events.>`,
    eventsInPartition: (partition: number) => `${prefix}.events.p${partition}.>`,
    event: (type: ChaperoneEventType, sessionId: string) => `${prefix}.events.p${partitionOf(sessionId)}.${type}`,
    health: (service: ServiceName) => `${prefix}.health.${service}`,
    queue: (service: ServiceName) => `${prefix}-${service}`,
    eventsStream: `${upper}_EVENTS`,
    auditConsumer: (partition: number) => `${prefix}-audit-p${partition}`,
    auditLeaseBucket: `${prefix}-audit-leases`,
    ingressReplicaBucket: `${prefix}-ingress-replicas`,
    reconcilerLeaseBucket: `${prefix}-reconciler-lease`,
    evidenceStream: `${upper}_EVIDENCE`,
    evidenceSubjectPrefix: `${prefix}.evidence`,
    approvalOpen: `${prefix}.approval.open`,
    approvalClaim: `${prefix}.approval.claim`,
    approvalGet: `${prefix}.approval.get`,
    approvalCancel: `${prefix}.approval.cancel`,
    approvalChanged: (approvalId: string) => `${prefix}.approval.changed.${approvalSubjectToken(approvalId)}`,
    approvalChangedAll: `${prefix}.approval.changed.*`,
    reportsSnapshotBucket: `${prefix}-reports`,
    exporterCheckpointBucket: `${prefix}-exporter`,
  });
}

/** Approval ids are UUIDs; anything else that is not a safe single subject token is refused. */
function approvalSubjectToken(approvalId: string): string {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(approvalId)) throw new Error('approval id is not a safe subject token');
  return approvalId;
}

/** FNV-1a over the session id: stable across processes and languages, cheap on the hot path. */
export function partitionOf(sessionId: string, partitions: number = EVENT_PARTITIONS): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < sessionId.length; i++) {
    h ^= sessionId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/** HTTP headers Chaperone adds or reads on the wire. */
export const Headers = Object.freeze({
  requestId: 'x-chaperone-request-id',
  sessionId: 'x-chaperone-session-id',
  /** Keys of Impersonate-Extra-* the cluster's audit log records, so its entries join ours. */
  impersonateExtraSession: 'impersonate-extra-chaperone.dev%2fsession-id',
  impersonateExtraRequest: 'impersonate-extra-chaperone.dev%2frequest-id',
});

/**
 * Approval headers. The agent sends `reason` and `mode`; the gateway answers a ticket with `id`
 * and `url` (plus Retry-After). Every `x-chaperone-*` request header is removed before forwarding.
 */
export const ApprovalHeaders = Object.freeze({
  reason: 'x-chaperone-reason',
  mode: 'x-chaperone-approval-mode',
  id: 'x-chaperone-approval-id',
  url: 'x-chaperone-approval-url',
});
/** Request headers with this prefix are Chaperone's own and never reach the cluster. */
export const CHAPERONE_HEADER_PREFIX = 'x-chaperone-';
