import { READ_MODEL_SCHEMA, type ReadModel } from './read-model';
import { SessionIndex } from './session-index';

/** The read model as plain JSON (Maps as entry lists), for the snapshot bucket. */
export interface ReadModelSnapshot {
  schema: number;
  position: number;
  atPosition: string[];
  applied: number;
  sessions: [string, unknown][];
  requests: [string, unknown][];
  approvals: [string, unknown][];
  approvalByRequest: [string, string][];
  agents: [string, unknown][];
  registry: unknown[];
  authFailures: unknown[];
  orphanApprovalEvents: number;
  invalid: unknown[];
  otherTypes: [string, number][];
}

export function toSnapshot(m: ReadModel): ReadModelSnapshot {
  return {
    schema: m.schema,
    position: m.position,
    atPosition: m.atPosition,
    applied: m.applied,
    sessions: [...m.sessions],
    requests: [...m.requests],
    approvals: [...m.approvals],
    approvalByRequest: [...m.approvalByRequest],
    agents: [...m.agents],
    registry: m.registry,
    authFailures: m.authFailures,
    orphanApprovalEvents: m.orphanApprovalEvents,
    invalid: m.invalid,
    otherTypes: [...m.otherTypes],
  };
}

/**
 * The read model a snapshot holds, or undefined when it was written by another schema version
 * (then the model is rebuilt from the store). The snapshot is our own output, read back as is.
 */
export function fromSnapshot(s: ReadModelSnapshot): ReadModel | undefined {
  if (s.schema !== READ_MODEL_SCHEMA) return undefined;
  const sessions = new Map(s.sessions) as ReadModel['sessions'];
  const requests = new Map(s.requests) as ReadModel['requests'];
  return {
    schema: READ_MODEL_SCHEMA,
    position: s.position,
    atPosition: s.atPosition,
    applied: s.applied,
    sessions,
    requests,
    approvals: new Map(s.approvals) as ReadModel['approvals'],
    approvalByRequest: new Map(s.approvalByRequest),
    agents: new Map(s.agents) as ReadModel['agents'],
    registry: s.registry as ReadModel['registry'],
    authFailures: s.authFailures as ReadModel['authFailures'],
    orphanApprovalEvents: s.orphanApprovalEvents,
    invalid: s.invalid as ReadModel['invalid'],
    otherTypes: new Map(s.otherTypes),
    index: SessionIndex.of(sessions.values(), requests.values()),
  };
}
