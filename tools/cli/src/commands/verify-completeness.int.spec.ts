import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { approvalStream, busSubjects, type ApprovalLifecycleEvent, type ChaperoneEvent, type Decision, type RequestInfo } from '@chaperone/contracts';
import { generateCheckpointKeyPair } from '@chaperone/evidence-chain';
import { chainedEventStore, JetStreamEventStore, type EventStore } from '@chaperone/event-store';
import type { Io } from '../command';
import { run } from '../run';
import { commands } from '.';

const natsUrl = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

function capture(env: Record<string, string> = {}): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', env, out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

const identity = { subject: 'u-1', username: 'u-1', agent: 'deploy-bot', groups: ['agents'], issuer: 'https://issuer.example' };
const info = (verb: 'get' | 'delete', name: string): RequestInfo => ({
  isResourceRequest: true,
  path: `/api/v1/namespaces/default/pods/${name}`,
  verb,
  apiPrefix: 'api',
  apiGroup: '',
  apiVersion: 'v1',
  namespace: 'default',
  resource: 'pods',
  subresource: '',
  name,
  parts: ['pods', name],
});
const decision = (effect: Decision['effect']): Decision => ({
  effect,
  rule: 'r',
  policyVersion: 'sha256:test',
  reason: 'test',
  matchedRules: ['r'],
  mask: effect === 'mask',
  unmasked: false,
  maskProfile: 'default',
  record: 'none',
  ...(effect === 'approve'
    ? { approval: { mode: 'hold', modeHeaderAllowed: false, timeoutSeconds: 300, approverGroups: ['approvers'], requiredApprovals: 1, requireReason: false, grantTtlSeconds: 600 } }
    : {}),
});

/**
 * Given a real JetStream evidence store written the way the audit and approval services write it
 * (session streams of bus events, an approval stream of lifecycle events, all chained), when
 * `chaperone verify` runs, then it names the requests whose evidence stops short and exits 1.
 */
describe('chaperone verify: completeness (real NATS JetStream store)', () => {
  jest.setTimeout(30_000);
  const subjects = busSubjects(`cli-complete-${randomUUID().slice(0, 8)}`);
  const dir = mkdtempSync(join(tmpdir(), 'cli-complete-'));
  const keyFile = join(dir, 'checkpoint-public.pem');
  const { publicKey } = generateCheckpointKeyPair();
  const hourAgo = new Date(Date.now() - 3600_000).toISOString();
  const session = `s-${randomUUID().slice(0, 8)}`;
  const ids = { done: randomUUID(), lost: randomUUID(), closed: randomUUID(), claimed: randomUUID(), fresh: randomUUID(), approval: randomUUID() };
  let nc: NatsConnection;
  let inner: JetStreamEventStore;
  let store: EventStore;
  const env = () => ({ CHAPERONE_NATS_URL: natsUrl, CHAPERONE_BUS_PREFIX: subjects.prefix, CHAPERONE_CHECKPOINT_PUBLIC_KEY_FILE: keyFile });

  const base = (requestId: string, time: string) => ({ schemaVersion: 1 as const, time, requestId, sessionId: session, traceId: 't', identity });
  async function request(events: ChaperoneEvent[]): Promise<void> {
    for (const e of events) await store.append(`session-${session}`, [{ eventId: e.eventId, type: e.type, data: e }]);
  }
  const intercepted = (requestId: string, time: string, verb: 'get' | 'delete', name: string): ChaperoneEvent => ({
    ...base(requestId, time),
    eventId: randomUUID(),
    type: 'RequestIntercepted',
    payload: { method: verb === 'get' ? 'GET' : 'DELETE', path: info(verb, name).path, query: '', request: info(verb, name), userAgent: 'kubectl', sourceAddress: '127.0.0.1', upgrade: false },
  });
  const decided = (requestId: string, time: string, effect: Decision['effect']): ChaperoneEvent => ({ ...base(requestId, time), eventId: randomUUID(), type: 'PolicyDecided', payload: { interceptEventId: 'i', decision: decision(effect) } });
  const completed = (requestId: string, time: string): ChaperoneEvent => ({ ...base(requestId, time), eventId: randomUUID(), type: 'RequestCompleted', payload: { outcome: 'forwarded', status: 200, bytesOut: 10, durationMs: 3 } });

  beforeAll(async () => {
    writeFileSync(keyFile, publicKey.export({ format: 'pem', type: 'spki' }));
    nc = await connect({ servers: natsUrl });
    inner = await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix });
    store = chainedEventStore(inner);
    // done: the whole story. lost: decided an hour ago, never completed. closed: a reconciler said the outcome is unknown.
    await request([intercepted(ids.done, hourAgo, 'get', 'web'), decided(ids.done, hourAgo, 'allow'), completed(ids.done, hourAgo)]);
    await request([intercepted(ids.lost, hourAgo, 'get', 'worker-0'), decided(ids.lost, hourAgo, 'mask')]);
    await request([
      intercepted(ids.closed, hourAgo, 'get', 'web'),
      decided(ids.closed, hourAgo, 'allow'),
      { ...base(ids.closed, hourAgo), eventId: randomUUID(), type: 'RequestOutcomeUnknown', payload: { reason: 'no completion an hour after the decision', reachedCluster: 'unknown' } },
    ]);
    // claimed: a held delete, approved and claimed (its events are in the approval stream), never completed.
    await request([intercepted(ids.claimed, hourAgo, 'delete', 'db-0'), decided(ids.claimed, hourAgo, 'approve')]);
    const lifecycle: ApprovalLifecycleEvent[] = [
      {
        type: 'ApprovalRequested',
        data: {
          approvalId: ids.approval,
          at: hourAgo,
          requestFingerprint: `sha256:${'0'.repeat(64)}`,
          requester: { subject: identity.subject, username: identity.username, agent: identity.agent, groups: identity.groups },
          request: { verb: 'delete', apiGroup: '', resource: 'pods', subresource: '', namespace: 'default', name: 'db-0', path: info('delete', 'db-0').path },
          reason: '',
          rule: 'r',
          approverGroups: ['approvers'],
          requiredApprovals: 1,
          mode: 'hold',
          expiresAt: hourAgo,
          grantTtlSeconds: 600,
          requestId: ids.claimed,
          sessionId: session,
          traceId: 't',
          interceptEventId: 'i',
          method: 'DELETE',
          query: '',
        },
      },
      { type: 'ApprovalGranted', data: { approvalId: ids.approval, at: hourAgo, approver: { subject: 'alice', username: 'alice', groups: ['approvers'] }, reason: 'ok', grantExpiresAt: hourAgo } },
      { type: 'ApprovalExecuted', data: { approvalId: ids.approval, at: hourAgo, requestId: ids.claimed } },
    ];
    for (const e of lifecycle) await store.append(approvalStream(ids.approval), [{ eventId: randomUUID(), type: e.type, data: e.data }]);
    // fresh: decided just now, still in flight.
    const now = new Date().toISOString();
    await request([intercepted(ids.fresh, now, 'get', 'web'), decided(ids.fresh, now, 'allow')]);
  });
  afterAll(async () => {
    await inner.close();
    await (await nc.jetstreamManager()).streams.delete(subjects.evidenceStream);
    await nc.drain();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names each request let through without a stored end (request, session, agent, what, when) and exits 1', async () => {
    const io = capture(env());
    expect(await run(['verify'], io, commands)).toBe(1);
    const lines = io.stdout.split('\n');
    expect(lines[0]).toMatch(/^OK: every chain is intact/);
    expect(lines[1]).toBe('INCOMPLETE: 2 request(s) or grant(s) without a stored end; 5 request(s) let through, 1 still in flight (younger than the 60 s grace or held for approval)');
    expect(io.stdout).toContain(
      `  decided-not-completed: request ${ids.lost} (session ${session}, agent deploy-bot): get pods default/worker-0, decided mask at ${hourAgo} (event `,
    );
    expect(lines).toContain(
      `  executed-not-completed: request ${ids.claimed} (session ${session}, agent deploy-bot): delete pods default/db-0, its grant of approval ${ids.approval} claimed at ${hourAgo}, no RequestCompleted or RequestOutcomeUnknown stored`,
    );
    expect(io.stdout).not.toContain(ids.done);
    expect(io.stdout).not.toContain(ids.closed);
    expect(io.stdout).not.toContain(ids.fresh);
  });

  it('--json carries the findings; a grace longer than their age lets them pass as in flight; a bad grace is bad usage', async () => {
    const json = capture(env());
    expect(await run(['verify', '--json'], json, commands)).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ ok: false, problems: [], completeness: { ok: false, proceeded: 5, inFlight: 1, graceSeconds: 60 } });
    expect(report.completeness.incomplete.map((i: { kind: string; requestId: string }) => [i.kind, i.requestId])).toEqual(
      expect.arrayContaining([
        ['decided-not-completed', ids.lost],
        ['executed-not-completed', ids.claimed],
      ]),
    );
    const patient = capture(env());
    expect(await run(['verify', '--grace', '86400'], patient, commands)).toBe(0);
    expect(patient.stdout).toContain('OK: every request let through has its completion stored: 5 request(s) let through, 3 still in flight');
    const bad = capture(env());
    expect(await run(['verify', '--grace', 'soon'], bad, commands)).toBe(2);
    expect(bad.stderr).toContain('--grace must be a whole number of seconds, not "soon"');
  });
});
