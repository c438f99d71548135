import { Agent } from 'node:https';
import type { ChaperoneEvent } from '@chaperone/contracts';
import { verifyStore } from '@chaperone/evidence-chain';
import type { RecordedEvent } from '@chaperone/event-store';
import { policyWith } from './support/policies';
import { E2EStack } from './support/e2e-stack';

/**
 * The audit service killed with SIGKILL in the middle of a stream of requests through the ingress
 * (not with the bus idle, not between batches on purpose): whatever it had received and not
 * acknowledged, or stored and not acknowledged, comes again to the restarted service. Every
 * admitted request's intercept, decision and completion must end up stored exactly once, on a
 * chain that verifies.
 */
const POLICY = policyWith(`
  - name: read-pods
    effect: allow
    unmasked: true
    subjects: { groups: ["agents"] }
    verbs: ["get", "list"]
    apiGroups: [""]
    resources: ["pods"]
`);

const CLIENTS = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('audit service killed (SIGKILL) while requests flow through the ingress', () => {
  const s = new E2EStack();
  beforeAll(() => s.start(POLICY, { checkpoints: true }), 90_000);
  afterAll(() => s.stop());

  it('restarted, it stores every admitted request\'s three events exactly once, and the chains verify', async () => {
    const token = await s.agentToken('sigkill-bot');
    const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS, ca: s.ingressCaPem() });
    const admitted: string[] = [];
    const refused: number[] = [];
    let flowing = true;
    // Several clients send requests back to back, before, during and after the kill.
    const clients = Array.from({ length: CLIENTS }, async () => {
      while (flowing) {
        const r = await s.request('/api/v1/namespaces/default/pods', token, agent);
        if (r.status === 200) admitted.push(r.requestId);
        else refused.push(r.status);
      }
    });
    try {
      await waitUntil(() => admitted.length >= 30, 'requests flowing before the kill');
      await s.stopService('audit'); // SIGKILL, mid-stream
      const atKill = admitted.length;
      await waitUntil(() => admitted.length >= atKill + 30, 'requests flowing with the audit service dead');
      await s.startService('audit');
      const atRestart = admitted.length;
      await waitUntil(() => admitted.length >= atRestart + 30, 'requests flowing after the restart');
    } finally {
      flowing = false;
      await Promise.all(clients);
      agent.destroy();
    }
    // Admitted requests were answered only after their evidence was on the bus: none is refused
    // because the audit service was away (the events stream buffers).
    expect(refused).toEqual([]);

    const store = await s.evidenceStore();
    const wanted = new Set(admitted);
    let stored: RecordedEvent[] = [];
    await waitUntil(
      async () => {
        stored = await store.readAll({ streamPrefix: 'session-' });
        const done = new Set(stored.filter((e) => e.type === 'RequestCompleted').map((e) => (e.data as ChaperoneEvent).requestId));
        return [...wanted].every((id) => done.has(id));
      },
      'every admitted request completed in the store',
      60_000,
    );
    const byRequest = new Map<string, string[]>();
    for (const e of stored) {
      const requestId = (e.data as ChaperoneEvent).requestId;
      if (wanted.has(requestId)) byRequest.set(requestId, [...(byRequest.get(requestId) ?? []), e.type]);
    }
    const wrong = [...wanted].filter((id) => (byRequest.get(id) ?? []).join() !== 'RequestIntercepted,PolicyDecided,RequestCompleted');
    expect(wrong.map((id) => `${id}: ${(byRequest.get(id) ?? []).join()}`)).toEqual([]);
    const ids = stored.map((e) => e.eventId);
    expect(new Set(ids).size).toBe(ids.length);

    // The chains verify, and a checkpoint signed after the restart covers them.
    const through = stored[stored.length - 1]?.globalPosition ?? 0;
    await waitUntil(
      async () => (await store.readStream('checkpoints')).some((c) => ((c.data as { throughPosition?: number }).throughPosition ?? 0) >= through),
      'a checkpoint covering the stored events',
      20_000,
    );
    const report = await verifyStore(store, { publicKey: s.checkpointPublicKeyPem });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  }, 180_000);
});

async function waitUntil(ok: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs} ms`);
    await sleep(50);
  }
}
