import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { ChaperoneEvent } from '@chaperone/contracts';
import type { RecordedEvent } from '@chaperone/event-store';
import { policyWith } from './support/policies';
import { E2EStack } from './support/e2e-stack';
import { eventually } from './support/eventually';

/**
 * The evidence path under failure, with real processes: every event durably on the bus before a
 * request is forwarded, appended exactly once to the event store, nothing lost when services die.
 */
const POLICY = policyWith(`
  - name: read-pods
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["get", "list", "watch"]
    apiGroups: [""]
    resources: ["pods"]
    record: request-and-response
`);


function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const countById = (ids: string[]) => ids.reduce((m, id) => m.set(id, (m.get(id) ?? 0) + 1), new Map<string, number>());

describe('audit service stopped while kubectl keeps working', () => {
  const s = new E2EStack();
  beforeAll(() => s.start(POLICY), 90_000);
  afterAll(() => s.stop());

  it('requests still complete; restarted, the audit service stores every event exactly once', async () => {
    const token = await s.agentToken('evidence-bot');
    const kubeconfig = s.kubeconfig(token);
    await s.stopService('audit');
    for (let i = 0; i < 4; i++) {
      const r = await s.kubectl(kubeconfig, ['get', 'pods']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    // Everything published so far (by ingress and policy) waits on the bus.
    // kubectl's discovery requests are published too, and a completion follows the response by a
    // moment: wait until every intercepted request has its completion on the bus.
    const published = await eventually(
      () => [...s.events],
      (e) => {
        const completed = new Set(e.filter((x) => x.type === 'RequestCompleted').map((x) => x.requestId));
        const intercepted = e.filter((x) => x.type === 'RequestIntercepted');
        return completed.size >= 4 && intercepted.every((x) => completed.has(x.requestId));
      },
      'events on the bus',
    );
    await s.startService('audit');
    const ids = published.map((e) => e.eventId);
    const stored = await eventually(
      () => s.evidence(),
      (rec) => ids.every((id) => rec.some((r) => r.eventId === id)),
      'every bus event in the store',
    );
    const counts = countById(stored.map((r) => r.eventId));
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // Each request's chain is complete: intercepted, decided, completed (and masked, for resource reads).
    const intercepted = published.filter((e): e is Extract<ChaperoneEvent, { type: 'RequestIntercepted' }> => e.type === 'RequestIntercepted');
    for (const { requestId, payload } of intercepted) {
      const types = stored.filter((r) => (r.data as ChaperoneEvent).requestId === requestId).map((r) => r.type).sort();
      const chain = ['PolicyDecided', 'RequestCompleted', 'RequestIntercepted'];
      expect(types).toEqual(payload.request.isResourceRequest ? ['MaskingApplied', ...chain] : chain);
    }
  });

  it('records the digest and size of the exact response body the agent received, as the rule asks', async () => {
    const token = await s.agentToken('digest-bot');
    const r = await s.request('/api/v1/namespaces/default/pods', token);
    expect(r.status).toBe(200);
    const completed = await eventually(
      () => s.events.find((e) => e.type === 'RequestCompleted' && e.requestId === r.requestId),
      (e) => e !== undefined,
      'RequestCompleted on the bus',
    );
    const payload = completed?.type === 'RequestCompleted' ? completed.payload : undefined;
    const received = `sha256:${createHash('sha256').update(r.body).digest('hex')}`;
    // request-and-response stores the body too: the whole of it here (under the cap), so the blob is named by the same digest.
    expect(payload?.responseBody).toEqual({ digest: received, size: Buffer.byteLength(r.body), stored: { digest: received, size: Buffer.byteLength(r.body), truncated: false } });
    const empty = `sha256:${createHash('sha256').digest('hex')}`;
    expect(payload?.requestBody).toEqual({ digest: empty, size: 0, stored: { digest: empty, size: 0, truncated: false } });
  });

  it('the ingress kept nothing from the cluster: every request the API server saw has intercept and decision stored', async () => {
    const seen = s.apiserver.requests.map((q) => String(q.headers['impersonate-extra-chaperone.dev%2frequest-id']));
    expect(seen.length).toBeGreaterThan(0);
    // Both were durably on the bus before the request went upstream; the audit service moves them into the
    // evidence store on its own time (the previous test's request may still be on its way), so wait for it.
    const typesOf = (stored: RecordedEvent[], requestId: string) =>
      stored.filter((r) => (r.data as ChaperoneEvent).requestId === requestId).map((r) => r.type);
    const complete = (rec: RecordedEvent[]) => seen.every((id) => ['RequestIntercepted', 'PolicyDecided'].every((t) => typesOf(rec, id).includes(t)));
    // Never complete: the assertions below show what a request has.
    const stored = await eventually(() => s.evidence(), complete, 'intercept and decision stored for every request the API server saw').catch(() => s.evidence());
    for (const requestId of seen) expect(typesOf(stored, requestId)).toEqual(expect.arrayContaining(['RequestIntercepted', 'PolicyDecided']));
  });
});

describe('the event stream refuses writes (a full backlog)', () => {
  const s = new E2EStack();
  beforeAll(() => s.start(POLICY, { env: { CHAPERONE_EVENTS_MAX_MSGS: '12' } }), 90_000);
  afterAll(() => s.stop());

  it('new requests get 503 and never reach the cluster; after recovery they work again', async () => {
    const token = await s.agentToken('full-bot');
    await s.stopService('audit');
    let refused: { status: number; body: string } | undefined;
    for (let i = 0; i < 12 && !refused; i++) {
      const r = await s.request('/api/v1/namespaces/default/pods', token);
      if (r.status !== 200) refused = r;
    }
    expect(refused?.status).toBe(503);
    // The policy service stores the intercept with its decision; a full backlog refuses that write.
    const status = JSON.parse(refused?.body ?? '{}') as { kind: string; reason: string; message: string };
    expect(status).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable' });
    expect(status.message).toContain('the request was not sent');
    expect(status.message).toContain('the events stream is full');
    s.apiserver.clearRequests();
    const kubectl = await s.kubectl(s.kubeconfig(token), ['get', 'pods']);
    expect(kubectl.code).not.toBe(0);
    expect(kubectl.stderr).toContain('ServiceUnavailable');
    expect(s.apiserver.requests).toHaveLength(0);

    await s.startService('audit');
    await eventually(() => s.request('/api/v1/namespaces/default/pods', token), (r) => r.status === 200, 'requests accepted again');
    expect(s.apiserver.requests.length).toBeGreaterThan(0);
  });
});

describe('NATS unreachable', () => {
  const s = new E2EStack();
  beforeAll(async () => {
    await s.start(POLICY, { natsUrl: `nats://127.0.0.1:${await freePort()}` });
  }, 90_000);
  afterAll(() => s.stop());

  it('gives 503 with nothing forwarded while NATS is down, and recovers when it is back', async () => {
    const token = await s.agentToken('outage-bot');
    expect((await s.request('/api/v1/namespaces/default/pods', token)).status).toBe(200);
    await s.killNats();
    s.apiserver.clearRequests();
    const r = await s.request('/api/v1/namespaces/default/pods', token);
    expect(r.status).toBe(503);
    expect(JSON.parse(r.body)).toMatchObject({ kind: 'Status', code: 503 });
    expect(s.apiserver.requests).toHaveLength(0);

    await s.restartNats();
    await s.waitReady();
    await eventually(() => s.request('/api/v1/namespaces/default/pods', token), (x) => x.status === 200, 'requests accepted after NATS returned');
  });
});

describe('ingress killed -9 in the middle of a batch', () => {
  const s = new E2EStack();
  beforeAll(() => s.start(POLICY), 90_000);
  afterAll(() => s.stop());

  it('every request the cluster saw has its intercept and decision in the store', async () => {
    const token = await s.agentToken(`batch-${randomUUID().slice(0, 4)}`);
    s.apiserver.clearRequests();
    const batch = Array.from({ length: 60 }, (_, i) =>
      new Promise((r) => setTimeout(r, i * 5)).then(() => s.request('/api/v1/namespaces/default/pods', token).catch(() => ({ status: 0, body: '' }))),
    );
    await eventually(() => s.apiserver.requests.length, (n) => n >= 5, 'some requests forwarded');
    await s.stopService('ingress');
    const results = await Promise.all(batch);
    const forwarded = s.apiserver.requests.map((q) => String(q.headers['impersonate-extra-chaperone.dev%2frequest-id']));
    expect(forwarded.length).toBeGreaterThanOrEqual(5);
    expect(results.some((r) => r.status === 0)).toBe(true); // the kill really cut the batch
    const stored = await eventually(
      () => s.evidence(),
      (rec) =>
        forwarded.every((id) => {
          const types = rec.filter((r) => (r.data as ChaperoneEvent).requestId === id).map((r) => r.type);
          return types.includes('RequestIntercepted') && types.includes('PolicyDecided');
        }),
      'intercept and decision stored for every forwarded request',
    );
    expect([...countById(stored.map((r) => r.eventId)).values()].every((n) => n === 1)).toBe(true);
  });
});
