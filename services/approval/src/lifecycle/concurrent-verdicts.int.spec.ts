import { connect, type NatsConnection } from 'nats';
import { JetStreamEventStore } from '@chaperone/event-store';
import { OpenApprovalReplySchema, approvalStream, type BusSubjects } from '@chaperone/contracts';
import type { LocalIssuer } from '@chaperone/auth';
import {
  GatewayBus,
  NATS_SERVERS,
  deleteApprovalStreams,
  openDelete,
  startReplica,
  testAuthConfig,
  testIssuer,
  testSubjects,
  type TestReplica,
} from '../testing/approval-test-kit';

describe('concurrent verdicts on two replicas (real NATS + JetStream event store)', () => {
  let subjects: BusSubjects;
  let nc: NatsConnection;
  let bus: GatewayBus;
  let issuer: LocalIssuer;
  let replicas: TestReplica[] = [];
  const tokens: string[] = [];

  beforeAll(async () => {
    subjects = testSubjects();
    nc = await connect({ servers: NATS_SERVERS });
    bus = new GatewayBus();
    const made = await testIssuer();
    issuer = made.issuer;
    const auth = testAuthConfig(made.jwksFile);
    replicas = [await startReplica(subjects, { auth }), await startReplica(subjects, { auth })];
    for (const who of ['alice', 'bob']) tokens.push(await issuer.sign({ sub: `oidc|${who}`, preferred_username: who, groups: ['sre'] }));
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    await bus.close();
    await deleteApprovalStreams(nc, subjects);
    await nc.drain();
  });

  it('an approve and a deny sent at once to different replicas: one verdict is stored, the other gets 409', async () => {
    const store = await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix });
    for (let round = 0; round < 5; round++) {
      const reply = OpenApprovalReplySchema.parse(await bus.send(subjects.approvalOpen, openDelete(`race-${round}`)));
      if (reply.outcome !== 'pending') throw new Error(`unexpected ${reply.outcome}`);
      const review = (i: 0 | 1, verb: 'approve' | 'deny') =>
        fetch(`${replicas[i]?.url}/approvals/${reply.approvalId}/${verb}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens[i]}`, 'content-type': 'application/json' },
          body: JSON.stringify({ reason: `${verb} in round ${round}` }),
        }).then((r) => r.status);
      const statuses = await Promise.all([review(0, 'approve'), review(1, 'deny')]);
      expect([...statuses].sort()).toEqual([200, 409]);
      const types = (await store.readStream(approvalStream(reply.approvalId))).map((e) => e.type);
      expect(types).toHaveLength(2);
      expect(types[0]).toBe('ApprovalRequested');
      expect(statuses[0] === 200 ? 'ApprovalGranted' : 'ApprovalDenied').toBe(types[1]);
    }
  });
});
