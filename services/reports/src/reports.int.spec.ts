import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { createLocalIssuer, type LocalIssuer } from '@chaperone/auth';
import { connectBus } from '@chaperone/bus';
import { loadConfig } from '@chaperone/config';
import { busSubjects } from '@chaperone/contracts';
import { chainedEventStore, JetStreamEventStore, type RecordedEvent } from '@chaperone/event-store';
import { generateCheckpointKeyPair } from '@chaperone/evidence-chain';
import { writeFileSync } from 'node:fs';
import { reportsSettings } from './config';
import { ReportsModule } from './reports.module';
import { emptySummary, generateHistory } from './workload/generate-history';
import { writeHistory } from './workload/write-history';
import type { Soc2Report } from './soc2/soc2-report';

// Every report verifies the whole store here (no cache), on a machine shared with other suites.
jest.setTimeout(60_000);

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];
const subjects = busSubjects(`reports-int-${randomUUID().slice(0, 8)}`);
const ISSUER = 'https://issuer.reports-int.test';
const START = new Date('2026-03-01T00:00:00Z');

let nc: NatsConnection;
let store: JetStreamEventStore;
let issuer: LocalIssuer;
let app: INestApplication;
let base = '';
let auditor = '';
const dir = mkdtempSync(join(tmpdir(), 'reports-int-'));

async function startReports(): Promise<INestApplication> {
  const config = loadConfig(reportsSettings, {
    CHAPERONE_NATS_URL: servers.join(','),
    CHAPERONE_BUS_PREFIX: subjects.prefix,
    CHAPERONE_OIDC_ISSUER: ISSUER,
    CHAPERONE_OIDC_JWKS_FILE: join(dir, 'jwks.json'),
    CHAPERONE_REPORTS_BURST_THRESHOLD: '10',
    CHAPERONE_REPORTS_BURST_WINDOW_SECONDS: '30',
    CHAPERONE_REPORTS_SNAPSHOT_INTERVAL_SECONDS: '0',
    CHAPERONE_REPORTS_VERIFY_CACHE_SECONDS: '0',
    CHAPERONE_CHECKPOINT_PUBLIC_KEY_FILE: join(dir, 'checkpoint-public.pem'),
  });
  const a = await NestFactory.create(ReportsModule.forRoot(config, { now: () => new Date('2026-04-01T00:00:00Z') }), { logger: ['error'] });
  await a.listen(0, '127.0.0.1');
  return a;
}

async function get<T = unknown>(path: string, token = auditor): Promise<{ status: number; body: T; text: string; type: string }> {
  const res = await fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    // CSV, HTML, text
  }
  return { status: res.status, body: body as T, text, type: res.headers.get('content-type') ?? '' };
}

/**
 * The independent count: straight from the store's events, written here on purpose without the
 * projection code, so a bug there cannot hide in both.
 */
function countFromStore(all: RecordedEvent[], from: string, to: string) {
  const f = Date.parse(from);
  const t = Date.parse(to);
  const inP = (time: string) => Date.parse(time) >= f && Date.parse(time) < t;
  type D = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const intercepted = new Map<string, D>();
  for (const e of all) if (e.type === 'RequestIntercepted') intercepted.set((e.data as D)['requestId'], e.data as D);
  const inPeriod = (requestId: string) => {
    const i = intercepted.get(requestId);
    return i !== undefined && inP(i['time']);
  };
  const decided = new Map<string, D>();
  const masked = new Map<string, number>();
  for (const e of all) {
    const d = e.data as D;
    if (e.type === 'PolicyDecided') decided.set(d['requestId'], d['payload']['decision']);
    if (e.type === 'MaskingApplied') masked.set(d['requestId'], (masked.get(d['requestId']) ?? 0) + d['payload']['count']);
  }
  const reqs = [...intercepted.values()].filter((i) => inP(i['time']));
  const info = (i: D) => i['payload']['request'];
  const secretReads = reqs.filter((i) => info(i).resource === 'secrets' && ['get', 'list', 'watch'].includes(info(i).verb) && ['allow', 'mask'].includes(decided.get(i['requestId'])?.['effect']));
  const approvalsRequested = all.filter((e) => e.type === 'ApprovalRequested' && inP((e.data as D)['at']));
  const ids = new Set(approvalsRequested.map((e) => (e.data as D)['approvalId']));
  const lastType = new Map<string, string>();
  const selfApproved = new Set<string>();
  const requester = new Map<string, string>();
  for (const e of all) {
    const d = e.data as D;
    if (!e.type.startsWith('Approval') || !ids.has(d['approvalId'])) continue;
    if (e.type === 'ApprovalRequested') requester.set(d['approvalId'], d['requester']['subject']);
    else lastType.set(d['approvalId'], e.type);
    if (d['approver'] && d['approver']['subject'] === requester.get(d['approvalId'])) selfApproved.add(d['approvalId']);
  }
  const statusOf = (id: string) => ({ undefined: 'pending', ApprovalGranted: 'granted', ApprovalDenied: 'denied', ApprovalExpired: 'expired', ApprovalCancelled: 'cancelled', ApprovalExecuted: 'executed' })[String(lastType.get(id))];
  const approvalsByStatus: Record<string, number> = { pending: 0, granted: 0, denied: 0, expired: 0, cancelled: 0, executed: 0 };
  for (const id of ids) approvalsByStatus[statusOf(id) as string]! += 1;
  return {
    requests: reqs.length,
    sessions: new Set(reqs.map((i) => i['sessionId'])).size,
    identities: new Set(reqs.map((i) => `${i['identity']['agent']}/${i['identity']['subject']}`)).size,
    policyVersions: new Set(reqs.map((i) => decided.get(i['requestId'])?.['policyVersion']).filter(Boolean)).size,
    registrations: all.filter((e) => e.type === 'AgentRegistered' && inP((e.data as D)['time'])).length,
    registryUpdates: all.filter((e) => e.type === 'AgentUpdated' && inP((e.data as D)['time'])).length,
    removals: all.filter((e) => e.type === 'AgentRemoved' && inP((e.data as D)['time'])).length,
    approvals: ids.size,
    approvalsByStatus,
    selfApprovals: selfApproved.size,
    denials: [...decided.entries()].filter(([id, d]) => d['effect'] === 'deny' && inPeriod(id)).length,
    secretReads: secretReads.length,
    maskedSecretReads: secretReads.filter((i) => (masked.get(i['requestId']) ?? 0) > 0).length,
    authenticationFailures: all.filter((e) => e.type === 'AuthenticationFailed' && inP((e.data as D)['time'])).length,
    changes: reqs.filter((i) => ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(info(i).verb)).length,
  };
}

beforeAll(async () => {
  nc = await connectBus(servers, 'reports-int-test');
  store = await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix });
  issuer = await createLocalIssuer({ issuer: ISSUER, audience: 'chaperone' });
  issuer.writeJwksFile(join(dir, 'jwks.json'));
  auditor = await issuer.sign({ sub: 'auditor-1', groups: ['compliance'] });
  writeFileSync(join(dir, 'checkpoint-public.pem'), generateCheckpointKeyPair().publicKey.export({ type: 'spki', format: 'pem' }));
  // Through the chaining decorator, as every writer of the evidence store, so the chains verify.
  await writeHistory(chainedEventStore(store), generateHistory({ events: 3000, agents: 20, seed: 42, start: START, spanDays: 14, runId: 'int' }, emptySummary()));
  app = await startReports();
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
}, 120_000);

afterAll(async () => {
  await app?.close();
  const jsm = await nc.jetstreamManager();
  for (const s of [subjects.evidenceStream, `OBJ_${subjects.reportsSnapshotBucket}`, `OBJ_${subjects.prefix}-blobs`]) await jsm.streams.delete(s).catch(() => false);
  await nc.drain();
  rmSync(dir, { recursive: true, force: true });
});

describe('reports service (real NATS JetStream store)', () => {
  it('refuses a reader without a token (401) or outside the compliance group (403), with a Status saying why', async () => {
    const none = await get<{ kind: string; message: string }>('/sessions', '');
    expect(none.status).toBe(401);
    expect(none.body.kind).toBe('Status');
    expect(none.body.message).toMatch(/OIDC bearer token of a member of group "compliance"/);
    const agent = await issuer.sign({ sub: 'agent-x', groups: ['agents'] });
    const forbidden = await get<{ message: string; code: number }>('/reports/soc2', agent);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.message).toBe('user "agent-x" is not in group "compliance", which may read sessions and reports');
    expect(forbidden.text).not.toContain(agent);
  });

  it('every report figure equals an independent count straight from the store, for a part of the history and for all of it', async () => {
    const all = await store.readAll();
    for (const [from, to] of [
      ['2026-03-04T00:00:00.000Z', '2026-03-09T12:00:00.000Z'],
      ['2026-01-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z'],
    ] as const) {
      const { status, body } = await get<Soc2Report>(`/reports/soc2?from=${from}&to=${to}`);
      expect(status).toBe(200);
      expect(body.source.storePosition).toBe(all.length);
      const expected = countFromStore(all, from, to);
      const s = body.summary;
      expect({
        requests: s.requests, sessions: s.sessions, identities: s.identities, policyVersions: s.policyVersions, registrations: s.registrations,
        registryUpdates: s.registryUpdates, removals: s.removals, approvals: s.approvals, approvalsByStatus: s.approvalsByStatus, selfApprovals: s.selfApprovals, denials: s.denials,
        secretReads: s.secretReads, maskedSecretReads: s.maskedSecretReads, authenticationFailures: s.authenticationFailures, changes: s.changes,
      }).toEqual(expected);
      expect(expected.requests).toBeGreaterThan(100);
      expect(expected.denials).toBeGreaterThan(0);
      expect(expected.maskedSecretReads).toBeGreaterThan(0);
      expect(expected.approvals).toBeGreaterThan(0);
      expect(body.verification).toMatchObject({ status: 'verified', throughPosition: all.length, events: all.length, problems: [] });
      // Bursts: each is at least `threshold` events of one kind by one agent.
      expect(body.cc7_2.bursts.every((b) => b.count >= 10)).toBe(true);
    }
    const whole = (await get<Soc2Report>('/reports/soc2?from=2026-01-01&to=2026-06-01')).body;
    expect(whole.cc7_2.bursts.filter((b) => b.kind === 'denials').length).toBeGreaterThan(0);
  });

  it('a rebuild from zero gives the identical report', async () => {
    const q = '/reports/soc2?from=2026-01-01&to=2026-06-01';
    const before = (await get<Soc2Report>(q)).body;
    const rebuild = await fetch(`${base}/projections/rebuild`, { method: 'POST', headers: { authorization: `Bearer ${auditor}` } });
    expect(rebuild.status).toBe(200);
    const result = (await rebuild.json()) as { events: number; eventsPerSecond: number };
    expect(result.events).toBe(before.source.eventsApplied);
    const after = (await get<Soc2Report>(q)).body;
    expect({ ...after, verification: null }).toEqual({ ...before, verification: null });
  });

  it('searches sessions by agent, owner, namespace, resource and decision, and shows one as a timeline and a replay', async () => {
    const denied = await get<{ total: number; sessions: { sessionId: string; agent: string; owner: string | null; decisions: Record<string, number> }[] }>(
      '/sessions?decision=deny&namespace=kube-system&limit=5',
    );
    expect(denied.status).toBe(200);
    expect(denied.body.total).toBeGreaterThan(0);
    expect(denied.body.sessions.every((s) => s.decisions['deny']! > 0)).toBe(true);
    const one = denied.body.sessions[0]!;
    const byAgent = await get<{ sessions: { agent: string }[] }>(`/sessions?agent=${one.agent}&limit=10000`);
    expect(byAgent.body.sessions.length).toBeGreaterThan(0);
    expect(byAgent.body.sessions.every((s) => s.agent === one.agent)).toBe(true);
    const owned = await get<{ sessions: { owner: string }[] }>('/sessions?owner=owner-3@example.com&limit=10000');
    expect(owned.body.sessions.length).toBeGreaterThan(0);
    expect(owned.body.sessions.every((s) => s.owner === 'owner-3@example.com')).toBe(true);

    const detail = await get<{ timeline: { verb: string; namespace: string; decision: { effect: string; rule: string } | null; status: number }[] }>(`/sessions/${one.sessionId}`);
    expect(detail.body.timeline.some((r) => r.namespace === 'kube-system' && r.decision?.effect === 'deny' && r.decision.rule === 'default-deny' && r.status === 403)).toBe(true);
    const replay = await get(`/sessions/${one.sessionId}/replay?format=text`);
    expect(replay.type).toMatch(/text\/plain/);
    expect(replay.text).toContain('$ kubectl get pods -n kube-system');
    expect(replay.text).toContain('403 refused; denied by rule "default-deny"');
    // Page by page through the index: the same sessions in the same order as one long page.
    type SessionsPage = { total: number; sessions: { sessionId: string }[]; next?: string };
    const whole = (await get<SessionsPage>('/sessions?decision=deny&limit=10000')).body;
    expect(whole.sessions.length).toBe(whole.total);
    expect(whole.total).toBeGreaterThan(7);
    const paged: string[] = [];
    for (let cursor = ''; ; ) {
      const page = (await get<SessionsPage>(`/sessions?decision=deny&limit=7${cursor ? `&cursor=${cursor}` : ''}`)).body;
      expect(page.total).toBe(whole.total);
      paged.push(...page.sessions.map((s) => s.sessionId));
      if (!page.next) break;
      cursor = page.next;
    }
    expect(paged).toEqual(whole.sessions.map((s) => s.sessionId));
    expect((await get('/sessions?cursor=bogus')).status).toBe(400);
    expect((await get(`/sessions/nope`)).status).toBe(404);
    expect((await get(`/sessions?decision=maybe`)).status).toBe(400);
    expect((await get(`/sessions?from=yesterday`)).body).toMatchObject({ message: expect.stringMatching(/from must be an ISO 8601/) });
  });

  it('exports each section as CSV and the whole report as printable HTML', async () => {
    const changes = await get('/reports/soc2?from=2026-01-01&to=2026-06-01&format=csv&section=cc8.1-changes');
    expect(changes.status).toBe(200);
    expect(changes.type).toMatch(/text\/csv/);
    const lines = changes.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('time,requestId,sessionId,agent,owner,verb,apiGroup,resource,subresource,namespace,name,decision,rule,policyVersion,approvalId,approvalStatus,approvers,requestBodyDigest,requestBodyRecorded,requestBodyUrl,outcome,status,eventIds');
    const json = (await get<Soc2Report>('/reports/soc2?from=2026-01-01&to=2026-06-01')).body;
    expect(lines).toHaveLength(json.summary.changes + 1);
    const summary = await get('/reports/soc2?from=2026-01-01&to=2026-06-01&format=csv&section=summary');
    expect(summary.text).toContain('verification.status,verified');
    expect((await get('/reports/soc2?format=csv')).status).toBe(400);
    const html = await get('/reports/soc2?from=2026-01-01&to=2026-06-01&format=html');
    expect(html.type).toMatch(/text\/html/);
    expect(html.text).toContain('CC8.1 Change management');
    expect(html.text).toContain('Hash chains verified at');
  });

  it('a second replica starts from the snapshot, catches up with newer events, and answers exactly as the first', async () => {
    // The rebuild above saved a snapshot; more history arrives after it.
    const snapshotAt = (await store.readAll()).length;
    await writeHistory(chainedEventStore(store), generateHistory({ events: 300, agents: 5, seed: 43, start: START, spanDays: 14, runId: 'int2' }, emptySummary()));
    const total = (await store.readAll()).length;
    const second = await startReports();
    try {
      const secondBase = (await second.getUrl()).replace('[::1]', '127.0.0.1');
      const q = '/reports/soc2?from=2026-01-01&to=2026-06-01';
      const deadline = Date.now() + 15_000;
      let first = (await get<Soc2Report>(q)).body;
      while (first.source.storePosition < total && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        first = (await get<Soc2Report>(q)).body;
      }
      const status = (await (await fetch(`${secondBase}/projections`, { headers: { authorization: `Bearer ${auditor}` } })).json()) as { loadedSnapshotAt: number | null };
      expect(status.loadedSnapshotAt).toBe(snapshotAt);
      const res = await fetch(`${secondBase}${q}`, { headers: { authorization: `Bearer ${auditor}` } });
      const other = (await res.json()) as Soc2Report;
      expect(other.source.storePosition).toBe(total);
      expect({ ...other, verification: null }).toEqual({ ...first, verification: null });
    } finally {
      await second.close();
    }
  });

  it('names an event written around the chain, in /verify and in every report', async () => {
    const stream = 'session-int-forged';
    await store.append(stream, [{ eventId: randomUUID(), type: 'RequestCompleted', data: { forged: true } }], { expectedRevision: 'no_stream' });
    const verify = await get<{ status: string; problems: { kind: string; description: string }[]; completeness: { ok: boolean; proceeded: number; incomplete: unknown[] } }>('/verify');
    expect(verify.body.status).toBe('failed');
    // The generated history ends every request it lets through: complete, whatever the forged event.
    expect(verify.body.completeness).toMatchObject({ ok: true, incomplete: [] });
    expect(verify.body.completeness.proceeded).toBeGreaterThan(100);
    expect(verify.body.problems).toEqual([expect.objectContaining({ kind: 'broken-link', description: expect.stringContaining(`${stream}@0`) })]);
    const html = await get('/reports/soc2?from=2026-01-01&to=2026-06-01&format=html');
    expect(html.text).toContain('Hash chain verification FAILED');
    expect(html.text).toContain(`${stream}@0`);
  });
});
