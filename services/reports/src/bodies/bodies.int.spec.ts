import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { createLocalIssuer, type LocalIssuer } from '@chaperone/auth';
import { blobRefOf, bucketStreamName, JetStreamBlobStore } from '@chaperone/blob-store';
import { rewriteJetStreamBlob } from '@chaperone/blob-store/testing';
import { connectBus } from '@chaperone/bus';
import { loadConfig } from '@chaperone/config';
import { busSubjects, type ChaperoneEvent, type RecordedBody } from '@chaperone/contracts';
import { chainedEventStore, JetStreamEventStore, type EventStore } from '@chaperone/event-store';
import { planPrune, pruneRecordings, readRecordingsIndex } from '@chaperone/evidence-chain';
import { reportsSettings } from '../config';
import { ReportsModule } from '../reports.module';
import type { Soc2Report } from '../soc2/soc2-report';
import type { ChainVerification } from '../verify/chain-verification';

jest.setTimeout(60_000);

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];
const subjects = busSubjects(`reports-bodies-${randomUUID().slice(0, 8)}`);
const bucket = `${subjects.prefix}-blobs`;
const ISSUER = 'https://issuer.reports-bodies.test';
const SESSION = 'sess-rec';
const dir = mkdtempSync(join(tmpdir(), 'reports-bodies-'));

let nc: NatsConnection;
let inner: JetStreamEventStore;
let store: EventStore;
let blobs: JetStreamBlobStore;
let issuer: LocalIssuer;
let app: INestApplication;
let base = '';
let auditor = '';

const APPLIED = Buffer.from('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app","namespace":"default"},"data":{"LOG_LEVEL":"debug"}}');
const CREATED = Buffer.from('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app","uid":"u-1"},"data":{"LOG_LEVEL":"debug"}}');
const WATCHED = Buffer.from('[0,"{\\"type\\":\\"ADDED\\",\\"object\\":{}}\\n"]\n[250,"{\\"type\\":\\"MODIFIED\\",\\"object\\":{}}\\n"]\n');
const NEVER_STORED = Buffer.from('{"kind":"Secret","data":{"password":"KioqTUFTS0VEKioq"}}');

function recorded(b: Buffer, timed = false): RecordedBody {
  const ref = blobRefOf(b);
  return { digest: ref.digest, size: ref.size, stored: { digest: ref.storedDigest, size: ref.storedSize, truncated: false, ...(timed ? { timed } : {}) } };
}

/** One request of the session, as the ingress and policy record it. */
async function request(requestId: string, verb: 'create' | 'watch' | 'get', resource: string, bodies: { requestBody?: RecordedBody; responseBody?: RecordedBody }) {
  const identity = { subject: 'agent-rec', username: 'agent-rec', groups: ['agents'], agent: 'rec-bot', issuer: ISSUER };
  const env = { schemaVersion: 1 as const, time: '2026-03-01T10:00:00.000Z', requestId, sessionId: SESSION, traceId: 't', identity };
  const path = `/api/v1/namespaces/default/${resource}`;
  const events: ChaperoneEvent[] = [
    {
      ...env,
      eventId: randomUUID(),
      type: 'RequestIntercepted',
      payload: {
        method: verb === 'create' ? 'POST' : 'GET', path, query: verb === 'watch' ? 'watch=true' : '', userAgent: 'kubectl', sourceAddress: '127.0.0.1', upgrade: false,
        request: { isResourceRequest: true, path, verb, apiPrefix: 'api', apiGroup: '', apiVersion: 'v1', namespace: 'default', resource, subresource: '', name: '', parts: [resource] },
      },
    },
    {
      ...env,
      eventId: randomUUID(),
      type: 'PolicyDecided',
      payload: {
        interceptEventId: 'i',
        decision: {
          effect: 'allow', rule: 'record-all', policyVersion: 'sha256:p', reason: '', matchedRules: ['record-all'], mask: false, unmasked: false, maskProfile: 'default',
          record: 'request-and-response', recording: { maxBodyBytes: 1 << 20, retentionDays: 30, onStoreFailure: 'defer' },
        },
      },
    },
    { ...env, eventId: randomUUID(), type: 'RequestCompleted', payload: { outcome: 'forwarded', status: verb === 'create' ? 201 : 200, bytesOut: 10, durationMs: 3, ...bodies } },
  ];
  for (const e of events) await store.append(`session-${SESSION}`, [{ eventId: e.eventId, type: e.type, data: e }]);
}

async function get(path: string, token = auditor) {
  const res = await fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, bytes, text: bytes.toString('utf8'), headers: res.headers };
}

/** Until the reports service has projected everything stored so far. */
async function projected(): Promise<void> {
  const last = (await inner.readAll()).at(-1)?.globalPosition ?? 0;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const p = JSON.parse((await get('/projections')).text) as { position: number };
    if (p.position >= last) return;
    if (Date.now() > deadline) throw new Error(`projection stuck at ${p.position} < ${last}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const bodyPath = (rid: string, which: string) => `/sessions/${SESSION}/requests/${rid}/body/${which}`;

beforeAll(async () => {
  nc = await connectBus(servers, 'reports-bodies-test');
  inner = await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix });
  store = chainedEventStore(inner);
  blobs = await JetStreamBlobStore.create(nc, { bucket });
  issuer = await createLocalIssuer({ issuer: ISSUER, audience: 'chaperone' });
  issuer.writeJwksFile(join(dir, 'jwks.json'));
  auditor = await issuer.sign({ sub: 'auditor-1', groups: ['compliance'] });
  await request('r-apply', 'create', 'configmaps', { requestBody: recorded(APPLIED), responseBody: recorded(CREATED) });
  await request('r-watch', 'watch', 'pods', { requestBody: { digest: blobRefOf(Buffer.alloc(0)).digest, size: 0 }, responseBody: recorded(WATCHED, true) });
  await request('r-gone', 'get', 'secrets', { responseBody: recorded(NEVER_STORED) });
  for (const b of [APPLIED, CREATED, WATCHED]) await blobs.put(b, { capBytes: 1 << 20 });
  const config = loadConfig(reportsSettings, {
    CHAPERONE_NATS_URL: servers.join(','),
    CHAPERONE_BUS_PREFIX: subjects.prefix,
    CHAPERONE_OIDC_ISSUER: ISSUER,
    CHAPERONE_OIDC_JWKS_FILE: join(dir, 'jwks.json'),
    CHAPERONE_REPORTS_SNAPSHOT_INTERVAL_SECONDS: '0',
    CHAPERONE_REPORTS_VERIFY_CACHE_SECONDS: '0',
  });
  app = await NestFactory.create(ReportsModule.forRoot(config, { now: () => new Date('2026-03-02T00:00:00Z') }), { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  await projected();
});

afterAll(async () => {
  await app?.close();
  await inner?.close();
  const jsm = await nc.jetstreamManager();
  for (const s of [subjects.evidenceStream, bucketStreamName(bucket), `OBJ_${subjects.reportsSnapshotBucket}`]) await jsm.streams.delete(s).catch(() => false);
  await nc.drain();
  rmSync(dir, { recursive: true, force: true });
});

describe('recorded bodies through the reports API (real NATS JetStream event store and blob store)', () => {
  it('serves a stored body with its media type and digests; a stream as JSON lines; never as something a browser runs', async () => {
    const req = await get(bodyPath('r-apply', 'request'));
    expect(req.status).toBe(200);
    expect(req.bytes.equals(APPLIED)).toBe(true);
    expect(req.headers.get('content-type')).toBe('application/json');
    expect(req.headers.get('x-chaperone-body-digest')).toBe(blobRefOf(APPLIED).digest);
    expect(req.headers.get('x-content-type-options')).toBe('nosniff');
    expect(req.headers.get('content-security-policy')).toContain('sandbox');
    expect((await get(bodyPath('r-apply', 'response'))).bytes.equals(CREATED)).toBe(true);
    const watch = await get(bodyPath('r-watch', 'response'));
    expect(watch.status).toBe(200);
    expect(watch.headers.get('content-type')).toBe('application/jsonl; charset=utf-8');
    expect(watch.headers.get('x-chaperone-timed')).toBe('true');
    expect(watch.text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as [number, string])[0])).toEqual([0, 250]);
  });

  it('answers 404 with the reason when there is nothing to serve, 400 for a bad body name, 403 outside the compliance group', async () => {
    const digestOnly = await get(bodyPath('r-watch', 'request'));
    expect(digestOnly.status).toBe(404);
    expect(JSON.parse(digestOnly.text)).toMatchObject({ kind: 'Status', reason: 'NotFound', message: expect.stringContaining('was not stored (its rule records its digest only)') });
    expect((await get(bodyPath('r-gone', 'request'))).status).toBe(404);
    const missing = await get(bodyPath('r-gone', 'response'));
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('is missing from the blob store (run chaperone verify)');
    expect((await get(`/sessions/other-session/requests/r-apply/body/request`)).status).toBe(404);
    expect((await get(bodyPath('r-apply', 'headers'))).status).toBe(400);
    const agent = await issuer.sign({ sub: 'agent-rec', groups: ['agents'] });
    expect((await get(bodyPath('r-apply', 'request'), agent)).status).toBe(403);
  });

  it('links each body from the session timeline, counts the changes, and the CC8.1 change list links the stored request body', async () => {
    const detail = JSON.parse((await get(`/sessions/${SESSION}`)).text) as { changes: number; timeline: { requestId: string; bodies: Record<string, { state: string; href?: string } | null> }[] };
    expect(detail.changes).toBe(1);
    const apply = detail.timeline.find((t) => t.requestId === 'r-apply');
    expect(apply?.bodies['request']).toMatchObject({ state: 'stored', href: bodyPath('r-apply', 'request') });
    const report = JSON.parse((await get('/reports/soc2?from=2026-03-01&to=2026-03-02')).text) as Soc2Report;
    expect(report.cc8_1.changes.map((c) => [c.requestId, c.requestBodyRecorded, c.requestBodyUrl])).toEqual([['r-apply', 'stored', bodyPath('r-apply', 'request')]]);
    const html = (await get('/reports/soc2?from=2026-03-01&to=2026-03-02&format=html')).text;
    expect(html).toContain(`<a href="${bodyPath('r-apply', 'request')}">body</a>`);
  });

  it('GET /verify names a missing blob with its request, and passes once it is stored', async () => {
    const failed = JSON.parse((await get('/verify')).text) as ChainVerification & { status: 'failed' };
    expect(failed.status).toBe('failed');
    expect(failed.recordings).toEqual({ bodies: 4, blobs: 4, pruned: 0 });
    expect(failed.problems).toEqual([{ kind: 'recording-missing', description: expect.stringContaining(`blob ${blobRefOf(NEVER_STORED).digest} is missing`) }]);
    expect(failed.problems[0]?.description).toContain('request r-gone responseBody');
    await blobs.put(NEVER_STORED, { capBytes: 1 << 20 });
    expect(JSON.parse((await get('/verify')).text)).toMatchObject({ status: 'verified', problems: [] });
  });

  it('a rewritten blob: the route refuses to serve it (500) and GET /verify names it as altered', async () => {
    await rewriteJetStreamBlob(nc, bucket, blobRefOf(CREATED).digest, Buffer.from('{"kind":"ConfigMap","data":{"LOG_LEVEL":"forged"}}'));
    const served = await get(bodyPath('r-apply', 'response'));
    expect(served.status).toBe(500);
    expect(served.text).toContain('was altered in the blob store');
    expect(served.text).not.toContain('forged');
    const v = JSON.parse((await get('/verify')).text) as ChainVerification & { status: 'failed' };
    expect(v.problems).toEqual([{ kind: 'recording-altered', description: expect.stringContaining('request r-apply responseBody') }]);
  });

  it('after a prune: the pruned bodies answer 404 "deleted by retention", their links say pruned, and GET /verify passes', async () => {
    const plan = planPrune(await readRecordingsIndex(store), new Date('2026-06-01T00:00:00Z'));
    await pruneRecordings(plan, { blobs, store, newId: randomUUID, now: () => new Date() });
    await projected();
    const gone = await get(bodyPath('r-apply', 'request'));
    expect(gone.status).toBe(404);
    expect(gone.text).toContain('was deleted by retention (prune as of 2026-06-01T00:00:00.000Z)');
    const detail = JSON.parse((await get(`/sessions/${SESSION}`)).text) as { timeline: { requestId: string; bodies: Record<string, { state: string; href?: string } | null> }[] };
    expect(detail.timeline.find((t) => t.requestId === 'r-apply')?.bodies['request']).toMatchObject({ state: 'pruned', prunedAsOf: '2026-06-01T00:00:00.000Z' });
    expect(detail.timeline.find((t) => t.requestId === 'r-apply')?.bodies['request']?.href).toBeUndefined();
    expect(JSON.parse((await get('/verify')).text)).toMatchObject({ status: 'verified', recordings: { bodies: 0, blobs: 0, pruned: 4 }, problems: [] });
  });
});
