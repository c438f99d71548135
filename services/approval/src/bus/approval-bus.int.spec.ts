import { connect, type NatsConnection } from 'nats';
import { JetStreamEventStore } from '@chaperone/event-store';
import {
  ApprovalChangedSchema,
  ApprovalErrorReplySchema,
  ApprovalViewSchema,
  ClaimGrantReplySchema,
  OpenApprovalReplySchema,
  approvalStream,
  type BusSubjects,
} from '@chaperone/contracts';
import { ApprovalLifecycle } from '../lifecycle/approval-lifecycle';
import {
  GatewayBus,
  NATS_SERVERS,
  deleteApprovalStreams,
  openDelete,
  startReplica,
  testSubjects,
  type TestReplica,
} from '../testing/approval-test-kit';

const alice = { subject: 'oidc|alice', username: 'alice', groups: ['sre'] };

describe('approval service on the bus (real NATS + JetStream event store)', () => {
  let subjects: BusSubjects;
  let nc: NatsConnection;
  let bus: GatewayBus;
  let replica: TestReplica;

  const open = async (msg: unknown) => OpenApprovalReplySchema.parse(await bus.send(subjects.approvalOpen, msg));
  const claim = async (msg: unknown) => ClaimGrantReplySchema.parse(await bus.send(subjects.approvalClaim, msg));
  const get = async (approvalId: string) => ApprovalViewSchema.parse(await bus.send(subjects.approvalGet, { schemaVersion: 1, approvalId }));
  const approve = (r: TestReplica, approvalId: string) =>
    r.app.get(ApprovalLifecycle).run({ type: 'Approve', data: { approvalId, approver: alice, reason: 'ok, it is stuck' } });
  const storedTypes = async (approvalId: string) => {
    const store = await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix });
    return (await store.readStream(approvalStream(approvalId))).map((e) => e.type);
  };

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

  it('opens an approval once per identical request and stores ApprovalRequested before replying', async () => {
    const first = await open(openDelete('web-0'));
    expect(first).toMatchObject({ outcome: 'pending', created: true });
    if (first.outcome !== 'pending') throw new Error('unreachable');
    expect(first.url).toBe(`${replica.url}/approvals/${first.approvalId}`);
    expect(await storedTypes(first.approvalId)).toEqual(['ApprovalRequested']);

    const again = await open(openDelete('web-0'));
    expect(again).toEqual({ ...first, created: false });
    const other = await open(openDelete('web-1'));
    expect(other.outcome === 'pending' && other.approvalId).not.toBe(first.approvalId);

    const view = await get(first.approvalId);
    expect(view).toMatchObject({
      status: 'pending',
      rule: 'approve-pod-deletes',
      reason: 'stuck in CrashLoopBackOff',
      requester: { subject: 'oidc|agent-7', agent: 'claude' },
      request: { verb: 'delete', resource: 'pods', namespace: 'shop', name: 'web-0' },
      votes: [],
    });
  });

  it('refuses a request without the reason the rule requires, and malformed messages, storing nothing', async () => {
    expect(await open(openDelete('web-2', { reason: ' ', spec: { requireReason: true } }))).toMatchObject({
      outcome: 'refused',
      code: 'reason-required',
    });
    const bad = ApprovalErrorReplySchema.parse(await bus.send(subjects.approvalOpen, { schemaVersion: 1, requestId: 'x' }));
    expect(bad.error.code).toBe('invalid');
    expect(bad.error.message).toMatch(/OpenApproval does not match its contract/);
    const unknown = ApprovalErrorReplySchema.parse(await bus.send(subjects.approvalGet, { schemaVersion: 1, approvalId: 'nope' }));
    expect(unknown.error.code).toBe('not-found');
  });

  it('runs a granted request once: the claim stores ApprovalExecuted, a repeat of that claim runs, another request does not', async () => {
    const msg = openDelete('web-3');
    const opened = await open(msg);
    if (opened.outcome !== 'pending') throw new Error(`unexpected ${opened.outcome}`);
    const changed: unknown[] = [];
    const sub = nc.subscribe(subjects.approvalChanged(opened.approvalId), {
      callback: (_e, m) => changed.push(ApprovalChangedSchema.parse(JSON.parse(new TextDecoder().decode(m.data)))),
    });
    await nc.flush();

    expect(await claim({ schemaVersion: 1, approvalId: opened.approvalId, requestId: msg.requestId, requestFingerprint: msg.requestFingerprint })).toMatchObject({
      outcome: 'not-granted',
      status: 'pending',
    });
    await approve(replica, opened.approvalId);
    const grant = { schemaVersion: 1, approvalId: opened.approvalId, requestId: msg.requestId, requestFingerprint: msg.requestFingerprint };
    expect(await claim(grant)).toEqual({ outcome: 'run' });
    expect(await claim(grant)).toEqual({ outcome: 'run' }); // the gateway retrying the same claim
    expect(await claim({ ...grant, requestId: 'another-request' })).toMatchObject({ outcome: 'not-granted', status: 'executed' });
    expect(await storedTypes(opened.approvalId)).toEqual(['ApprovalRequested', 'ApprovalGranted', 'ApprovalExecuted']);

    const view = await get(opened.approvalId);
    expect(view).toMatchObject({ status: 'executed', decidedBy: [alice], decisionReason: 'ok, it is stuck' });
    await nc.flush();
    await new Promise((r) => setTimeout(r, 100));
    sub.unsubscribe();
    expect(changed).toEqual([
      { approvalId: opened.approvalId, status: 'granted' },
      { approvalId: opened.approvalId, status: 'executed' },
    ]);
  });

  it('ticket retry: an identical request after the grant runs once; the next identical one needs a new approval', async () => {
    const opened = await open(openDelete('web-4'));
    if (opened.outcome !== 'pending') throw new Error('unreachable');
    await approve(replica, opened.approvalId);
    expect(await open(openDelete('web-4'))).toEqual({ outcome: 'run', approvalId: opened.approvalId });
    const next = await open(openDelete('web-4'));
    expect(next).toMatchObject({ outcome: 'pending', created: true });
    expect(next.outcome === 'pending' && next.approvalId).not.toBe(opened.approvalId);
  });

  it('cancels a pending approval (held client gone); a late cancel is a conflict', async () => {
    const opened = await open(openDelete('web-5', { spec: { mode: 'hold' } }));
    if (opened.outcome !== 'pending') throw new Error('unreachable');
    expect(await bus.send(subjects.approvalCancel, { schemaVersion: 1, approvalId: opened.approvalId, why: 'client-gone' })).toEqual({ ok: true });
    const late = ApprovalErrorReplySchema.parse(
      await bus.send(subjects.approvalCancel, { schemaVersion: 1, approvalId: opened.approvalId, why: 'client-gone' }),
    );
    expect(late.error).toEqual({ code: 'conflict', message: expect.stringMatching(/already cancelled/) });
    expect((await get(opened.approvalId)).status).toBe('cancelled');
  });

  it('keeps pending approvals across a restart: a new replica rebuilds them from the event store', async () => {
    const opened = await open(openDelete('web-6'));
    if (opened.outcome !== 'pending') throw new Error('unreachable');
    await replica.close();
    replica = await startReplica(subjects);
    expect((await get(opened.approvalId)).status).toBe('pending');
    // Idempotency survives too: the identical request finds the same approval.
    expect(await open(openDelete('web-6'))).toEqual({ ...opened, created: false, url: `${replica.url}/approvals/${opened.approvalId}` });
    await approve(replica, opened.approvalId);
    expect(await open(openDelete('web-6'))).toEqual({ outcome: 'run', approvalId: opened.approvalId });
  });
});
