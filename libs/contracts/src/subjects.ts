import type { ChaperoneEventType } from './events';

/**
 * The bus, read as a table. Every subject Chaperone uses is here and nowhere else.
 *
 * | subject                          | pattern        | publisher | consumer (queue group)   |
 * |----------------------------------|----------------|-----------|--------------------------|
 * | chaperone.policy.decide          | request/reply  | ingress   | policy (policy)          |
 * | chaperone.events.<EventType>     | publish        | ingress, policy | audit (audit)      |
 * | chaperone.health.<service>       | request/reply  | operators | every service            |
 */
export const Subjects = Object.freeze({
  policyDecide: 'chaperone.policy.decide',
  /** Wildcard over every evidence event. */
  eventsAll: 'chaperone.events.>',
  event: (type: ChaperoneEventType): string => `chaperone.events.${type}`,
  health: (service: ServiceName): string => `chaperone.health.${service}`,
});

export const ServiceNames = Object.freeze(['ingress', 'policy', 'masking', 'approval', 'audit'] as const);
export type ServiceName = (typeof ServiceNames)[number];

/** Queue groups: replicas of one service share a group, so each message is handled once. */
export const QueueGroups: Readonly<Record<ServiceName, string>> = Object.freeze({
  ingress: 'chaperone-ingress',
  policy: 'chaperone-policy',
  masking: 'chaperone-masking',
  approval: 'chaperone-approval',
  audit: 'chaperone-audit',
});

/** HTTP headers Chaperone adds or reads on the wire. */
export const Headers = Object.freeze({
  requestId: 'x-chaperone-request-id',
  sessionId: 'x-chaperone-session-id',
  /** Keys of Impersonate-Extra-* the cluster's audit log records, so its entries join ours. */
  impersonateExtraSession: 'impersonate-extra-chaperone.dev%2fsession-id',
  impersonateExtraRequest: 'impersonate-extra-chaperone.dev%2frequest-id',
});
