import { connect, type NatsConnection } from 'nats';
import { ApprovalErrorReplySchema, type BusSubjects } from '@chaperone/contracts';
import { GatewayBus, NATS_SERVERS, deleteApprovalStreams, openDelete, startReplica, testSubjects, type TestReplica } from '../testing/approval-test-kit';

describe('fail closed when the event store cannot store (real NATS)', () => {
  let subjects: BusSubjects;
  let nc: NatsConnection;
  let bus: GatewayBus;
  let replica: TestReplica;

  beforeAll(async () => {
    subjects = testSubjects();
    nc = await connect({ servers: NATS_SERVERS });
    bus = new GatewayBus();
    replica = await startReplica(subjects);
  });

  afterAll(async () => {
    await replica?.close();
    await bus.close();
    await deleteApprovalStreams(nc, subjects);
    await nc.drain();
  });

  it('answers an error, never pending, when ApprovalRequested cannot be stored', async () => {
    // The evidence stream disappears under the running service: nothing can be appended.
    await deleteApprovalStreams(nc, subjects);
    const reply = ApprovalErrorReplySchema.parse(await bus.send(subjects.approvalOpen, openDelete('web-0')));
    expect(reply.error.code).toMatch(/unavailable|internal/);
    expect(reply.error.message).not.toMatch(/Bearer|eyJ/);
  });
});
