import { connect, type NatsConnection } from 'nats';
import { JetStreamEventStore } from '@chaperone/event-store';
import { ApprovalViewSchema, OpenApprovalReplySchema, approvalStream, type BusSubjects } from '@chaperone/contracts';
import {
  GatewayBus,
  NATS_SERVERS,
  deleteApprovalStreams,
  openDelete,
  startReplica,
  testSubjects,
  type TestReplica,
} from '../testing/approval-test-kit';

/** Polls until `check` passes or `ms` elapse (then fails with the last error). */
async function eventually(check: () => Promise<void>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('expiry with two approval replicas (real NATS + JetStream event store)', () => {
  let subjects: BusSubjects;
  let nc: NatsConnection;
  let bus: GatewayBus;
  let replicas: TestReplica[] = [];

  beforeAll(async () => {
    subjects = testSubjects();
    nc = await connect({ servers: NATS_SERVERS });
    bus = new GatewayBus();
    replicas = [await startReplica(subjects), await startReplica(subjects)];
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    await bus.close();
    await deleteApprovalStreams(nc, subjects);
    await nc.drain();
  });

  it('records ApprovalExpired exactly once although both replicas time every pending approval', async () => {
    const changes: string[] = [];
    const sub = nc.subscribe(subjects.approvalChangedAll, { callback: (_e, m) => changes.push(new TextDecoder().decode(m.data)) });
    const ids: string[] = [];
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      const reply = OpenApprovalReplySchema.parse(await bus.send(subjects.approvalOpen, openDelete(`exp-${name}`, { spec: { timeoutSeconds: 1 } })));
      if (reply.outcome !== 'pending') throw new Error(`unexpected ${reply.outcome}`);
      ids.push(reply.approvalId);
    }
    for (const approvalId of ids) {
      await eventually(async () => {
        const view = ApprovalViewSchema.parse(await bus.send(subjects.approvalGet, { schemaVersion: 1, approvalId }));
        expect(view.status).toBe('expired');
      });
    }
    // Both replicas' timers have fired by now; give a late loser time to (wrongly) append.
    await new Promise((r) => setTimeout(r, 1_000));
    sub.unsubscribe();
    const store = await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix });
    for (const approvalId of ids) {
      expect((await store.readStream(approvalStream(approvalId))).map((e) => e.type)).toEqual(['ApprovalRequested', 'ApprovalExpired']);
    }
    expect(changes.filter((c) => c.includes('"expired"'))).toHaveLength(ids.length);
    // Each replica knows every approval as expired (the other one's write reached it through the store).
    for (const replica of replicas) {
      const res = await fetch(`${replica.url}/healthz`);
      expect(res.status).toBe(200);
    }
  });
});
