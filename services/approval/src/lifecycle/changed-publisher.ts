import type { NatsConnection } from 'nats';
import type { ApprovalChanged, BusSubjects } from '@chaperone/contracts';
import type { Stored } from './approval-lifecycle';

/** The bus hint after each stored event (core NATS: a waiting gateway also polls `approval.get`). */
export function publishChanged(nc: NatsConnection, subjects: BusSubjects): (stored: Stored) => void {
  return (stored) => {
    if (nc.isClosed()) return;
    const message: ApprovalChanged = { approvalId: stored.approvalId, status: stored.state.status };
    nc.publish(subjects.approvalChanged(stored.approvalId), JSON.stringify(message));
  };
}
