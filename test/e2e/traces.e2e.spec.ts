import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChaperoneEvent } from '@chaperone/contracts';
import { policyWith } from './support/policies';
import { E2EStack } from './support/e2e-stack';

/**
 * One request is one trace across the services: each service exports its spans (OTLP/HTTP JSON) to
 * a collector this test runs, which keeps them in memory. A kubectl request's trace must hold the
 * ingress's span and the spans the policy, masking, approval and audit services started for the
 * NATS messages it sent, all under the trace id its evidence events carry.
 */
const POLICY = policyWith(`
  - name: agents-read
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["get", "list"]
    apiGroups: [""]
    resources: ["secrets", "pods"]
    namespaces: ["default"]
  - name: pod-deletes-need-a-human
    effect: approve
    subjects: { groups: ["agents"] }
    verbs: ["delete"]
    apiGroups: [""]
    resources: ["pods"]
    reason: deleting a pod needs a human
    approval: { approverGroups: ["approvers"], mode: ticket, timeout: 10m }
`);

interface CollectedSpan {
  service: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
}

type OtlpValue = { stringValue?: string };
type OtlpRequest = {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: OtlpValue }[] };
    scopeSpans?: { spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string }[] }[];
  }[];
};

/** An OTLP/HTTP JSON trace receiver that keeps what it gets. */
function startCollector(spans: CollectedSpan[]): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpRequest;
        for (const rs of body.resourceSpans ?? []) {
          const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) spans.push({ service, name: s.name, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? '' });
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const spans: CollectedSpan[] = [];
let collector: Server;
const s = new E2EStack();
let kubeconfig = '';

beforeAll(async () => {
  collector = await startCollector(spans);
  const { port } = collector.address() as AddressInfo;
  await s.start(POLICY, {
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    },
  });
  s.apiserver.addObjects('secrets', '', [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'traced-db', namespace: 'default' }, type: 'Opaque', data: { password: Buffer.from('tr4ced').toString('base64') } },
  ]);
  s.apiserver.addObjects('pods', '', [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'traced-pod', namespace: 'default' }, spec: { containers: [{ name: 'main', image: 'busybox' }] } },
  ]);
  kubeconfig = s.kubeconfig(await s.agentToken('trace-bot'));
}, 120_000);

afterAll(async () => {
  await s.stop();
  await new Promise((r) => collector.close(r));
});

/** The request's spans once every service in `services` has one there and `complete` holds (spans are exported in batches, evidence stored in several). */
async function traceOf(requestId: string, services: string[], complete: (spans: CollectedSpan[]) => boolean = () => true): Promise<CollectedSpan[]> {
  const intercepted = await s.waitForEvent((e): e is ChaperoneEvent => e.type === 'RequestIntercepted' && e.requestId === requestId);
  const traceId = intercepted.traceId;
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const inTrace = spans.filter((x) => x.traceId === traceId);
    if (services.every((svc) => inTrace.some((x) => x.service === svc)) && complete(inTrace)) return inTrace;
    if (Date.now() > deadline) throw new Error(`trace ${traceId} has spans of ${[...new Set(inTrace.map((x) => x.service))].join(', ') || 'no service'}, expected ${services.join(', ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function requestIdOf(method: 'get' | 'delete'): string {
  const q = [...s.apiserver.requests].reverse().find((r) => (method === 'get' ? r.method === 'GET' : r.method === 'DELETE'));
  return String(q?.headers['impersonate-extra-chaperone.dev%2frequest-id'] ?? '');
}

describe('one request, one trace across the services (W3C trace context in NATS headers)', () => {
  it('a masked read: ingress → policy → masking, and audit storing its evidence', async () => {
    s.apiserver.clearRequests();
    const r = await s.kubectl(kubeconfig, ['get', 'secret', 'traced-db', '-o', 'json']);
    expect(r.code).toBe(0);
    // Two stored messages: the intercept with its decision (policy's) and the completion (the ingress's).
    const inTrace = await traceOf(requestIdOf('get'), ['ingress', 'policy', 'masking', 'audit'], (spans) => spans.filter((x) => x.name === 'audit.store').length >= 2);

    const root = inTrace.find((x) => x.service === 'ingress' && x.name === 'kubernetes.request');
    expect(root).toBeDefined();
    expect(root?.parentSpanId).toBe('');
    // The policy's span is the ingress request's child: the context came in the evaluation request's headers.
    expect(inTrace.find((x) => x.service === 'policy' && x.name === 'policy.evaluate')?.parentSpanId).toBe(root?.spanId);
    expect(inTrace.find((x) => x.service === 'masking' && x.name === 'masking.mask')?.parentSpanId).toBe(root?.spanId);
    // Evidence published by the policy (intercept + decision) and by the ingress (completion) is stored in the same trace.
    const stored = inTrace.filter((x) => x.service === 'audit' && x.name === 'audit.store');
    const policyEvaluate = inTrace.find((x) => x.name === 'policy.evaluate');
    expect(stored.map((x) => x.parentSpanId)).toEqual(expect.arrayContaining([policyEvaluate?.spanId, root?.spanId]));
  });

  it('a held request: the approval service’s span is in the request’s trace', async () => {
    s.apiserver.clearRequests();
    const r = await s.kubectl(kubeconfig, ['delete', 'pod', 'traced-pod']);
    expect(r.stderr).toMatch(/Approval [0-9a-f-]{36} is pending/);
    const intercepted = [...s.events].reverse().find((e) => e.type === 'RequestIntercepted' && 'payload' in e && JSON.stringify(e.payload).includes('traced-pod'));
    expect(intercepted).toBeDefined();
    const inTrace = await traceOf(intercepted?.requestId ?? '', ['ingress', 'policy', 'approval', 'audit']);
    const root = inTrace.find((x) => x.service === 'ingress' && x.name === 'kubernetes.request');
    expect(inTrace.find((x) => x.service === 'approval' && x.name === 'approval.open')?.parentSpanId).toBe(root?.spanId);
  });
});
