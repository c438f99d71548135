import type { INestApplication } from '@nestjs/common';
import { connect, type NatsConnection } from 'nats';
import type { LocalIssuer } from '@chaperone/auth';
import { OpenApprovalReplySchema, type BusSubjects } from '@chaperone/contracts';
import {
  GatewayBus,
  NATS_SERVERS,
  agentIdentity,
  deleteApprovalStreams,
  openDelete,
  startReplica,
  testAuthConfig,
  testIssuer,
  testSubjects,
  type TestReplica,
} from '../testing/approval-test-kit';
import { openApiDocument } from './openapi';

describe('approvers API (HTTP, OIDC, real NATS + JetStream event store)', () => {
  let subjects: BusSubjects;
  let nc: NatsConnection;
  let bus: GatewayBus;
  let replica: TestReplica;
  let issuer: LocalIssuer;
  const tokens: Record<string, string> = {};

  const call = async (method: string, path: string, who?: string, body?: unknown) => {
    const res = await fetch(`${replica.url}${path}`, {
      method,
      headers: {
        ...(who ? { authorization: `Bearer ${tokens[who] ?? who}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };
  const openApproval = async (msg: Parameters<typeof openDelete>[1] & { name?: string } = {}) => {
    const { name = `p-${Math.random().toString(36).slice(2, 8)}`, ...rest } = msg;
    const reply = OpenApprovalReplySchema.parse(await bus.send(subjects.approvalOpen, openDelete(name, rest)));
    if (reply.outcome !== 'pending') throw new Error(`unexpected ${reply.outcome}`);
    return reply.approvalId;
  };

  beforeAll(async () => {
    subjects = testSubjects();
    nc = await connect({ servers: NATS_SERVERS });
    bus = new GatewayBus();
    const made = await testIssuer();
    issuer = made.issuer;
    replica = await startReplica(subjects, { auth: testAuthConfig(made.jwksFile) });
    const sign = (sub: string, username: string, groups: string[]) => issuer.sign({ sub, preferred_username: username, groups });
    tokens['alice'] = await sign('oidc|alice', 'alice', ['sre']);
    tokens['bob'] = await sign('oidc|bob', 'bob', ['sre', 'platform']);
    tokens['carol'] = await sign('oidc|carol', 'carol', ['developers']);
    // The agent itself, in an approver group: still never its own approver (same subject).
    tokens['agent'] = await sign(agentIdentity.subject, 'someone-else', ['sre']);
    // Another subject claiming the agent's user name: the same party for approval purposes.
    tokens['agent-alias'] = await sign('oidc|other', agentIdentity.username, ['sre']);
  });

  afterAll(async () => {
    await replica?.close();
    await bus.close();
    await deleteApprovalStreams(nc, subjects);
    await nc.drain();
  });

  it('refuses callers without a valid token with a 401 Status that never echoes the token', async () => {
    expect((await call('GET', '/approvals')).json).toMatchObject({ kind: 'Status', code: 401, reason: 'Unauthorized' });
    const forged = `${tokens['alice']?.slice(0, -4)}AAAA`;
    const refused = await call('GET', '/approvals', forged);
    expect(refused.status).toBe(401);
    expect(refused.text).not.toContain(forged);
    expect(refused.text).not.toContain(forged.split('.')[1]);
  });

  it('lists pending approvals the caller may decide, with namespace, agent and age filters', async () => {
    const id = await openApproval();
    const ids = (r: Awaited<ReturnType<typeof call>>) => (r.json?.['items'] as { approvalId: string }[]).map((i) => i.approvalId);
    expect(ids(await call('GET', '/approvals', 'alice'))).toContain(id);
    expect(ids(await call('GET', '/approvals', 'carol'))).not.toContain(id); // not an approver of this rule
    expect(ids(await call('GET', '/approvals?namespace=shop&agent=claude', 'alice'))).toContain(id);
    expect(ids(await call('GET', '/approvals?namespace=other', 'alice'))).not.toContain(id);
    expect(ids(await call('GET', '/approvals?agent=someone', 'alice'))).not.toContain(id);
    expect(ids(await call('GET', '/approvals?olderThanSeconds=3600', 'alice'))).not.toContain(id);
    expect(ids(await call('GET', '/approvals?olderThanSeconds=0', 'alice'))).toContain(id);
    expect((await call('GET', '/approvals?olderThanSeconds=soon', 'alice')).json).toMatchObject({ code: 400, reason: 'BadRequest' });
  });

  it('given more pending approvals than a page, when the inbox pages through them, then each comes once, oldest first, with the total and a cursor', async () => {
    const inPaging = (name: string) => {
      const { request } = openDelete(name);
      if (!request.isResourceRequest) throw new Error('openDelete holds a resource request');
      return openApproval({ name, request: { ...request, namespace: 'paging' } });
    };
    const opened: string[] = [];
    for (let i = 0; i < 7; i++) opened.push(await inPaging(`pg-${i}`));
    type Page = { items: { approvalId: string; status: string }[]; total: number; next?: string };
    const page = async (q: string, who = 'alice') => (await call('GET', `/approvals?namespace=paging&${q}`, who)).json as unknown as Page;

    const first = await page('limit=3');
    expect(first.items.map((i) => i.approvalId)).toEqual(opened.slice(0, 3));
    expect(first.total).toBe(7);
    // Approving one already shown does not shift the next page.
    expect((await call('POST', `/approvals/${opened[1]}/approve`, 'alice', { reason: 'paging' })).status).toBe(200);
    const second = await page(`limit=3&cursor=${first.next}`);
    expect(second.items.map((i) => i.approvalId)).toEqual(opened.slice(3, 6));
    expect(second.total).toBe(6);
    const third = await page(`limit=3&cursor=${second.next}`);
    expect(third.items.map((i) => i.approvalId)).toEqual(opened.slice(6));
    expect(third.next).toBeUndefined();
    // The history, newest first, and what another caller may not see is neither listed nor counted.
    const decided = await page('status=decided&order=newest&limit=5');
    expect(decided).toMatchObject({ total: 1, items: [{ approvalId: opened[1], status: 'granted' }] });
    expect(await page('limit=3', 'carol')).toEqual({ items: [], total: 0 });
    expect((await call('GET', '/approvals?cursor=bm90LWEtY3Vyc29y', 'alice')).json).toMatchObject({ code: 400, message: expect.stringContaining('cursor must be the `next` value') });
    expect((await call('GET', '/approvals?limit=0', 'alice')).json).toMatchObject({ code: 400, reason: 'BadRequest' });
  });

  it('shows one approval with the masked body, the live object and the diff of a patch (strategic: approximated, and says so)', async () => {
    const live = { kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 3 } };
    const patch = JSON.stringify({ spec: { replicas: 0 } });
    const patchRequest = { ...openDelete('web').request, verb: 'patch' as const };
    const id = await openApproval({
      method: 'PATCH',
      request: patchRequest,
      requestBody: { digest: `sha256:${'a'.repeat(64)}`, size: patch.length, contentType: 'application/strategic-merge-patch+json', masked: patch, truncated: false },
      liveObject: { masked: JSON.stringify(live), truncated: false },
    });
    const shown = await call('GET', `/approvals/${id}`, 'alice');
    expect(shown.status).toBe(200);
    expect(shown.json).toMatchObject({
      approval: { approvalId: id, status: 'pending', request: { verb: 'patch', namespace: 'shop' } },
      request: { method: 'PATCH', path: expect.stringContaining('/pods/') },
      approverGroups: ['sre'],
      body: { masked: patch, contentType: 'application/strategic-merge-patch+json' },
      liveObject: { masked: JSON.stringify(live) },
    });
    expect(shown.json?.['diff']).toEqual({
      available: true,
      basis: 'strategic-merge-patch',
      approximated: true,
      note: expect.stringMatching(/approximated as a JSON merge patch/),
      changes: [{ path: '/spec/replicas', op: 'replace', from: 3, to: 0 }],
      result: { ...live, spec: { replicas: 0 } },
    });
    expect((await call('GET', `/approvals/${id}`, 'carol')).status).toBe(403);
    expect((await call('GET', '/approvals/00000000-0000-0000-0000-000000000000', 'alice')).json).toMatchObject({ code: 404, reason: 'NotFound' });
    expect((await call('GET', '/approvals/bad%20id', 'alice')).status).toBe(404);
  });

  it('never lets the requester approve its own request (same subject or same user name), nor a non-approver', async () => {
    const id = await openApproval();
    const self = await call('POST', `/approvals/${id}/approve`, 'agent', { reason: 'trust me' });
    expect(self.status).toBe(403);
    expect(self.json?.['message']).toMatch(/cannot decide on its own request/);
    expect((await call('POST', `/approvals/${id}/approve`, 'agent-alias', { reason: 'trust me' })).status).toBe(403);
    const outsider = await call('POST', `/approvals/${id}/deny`, 'carol', { reason: 'no' });
    expect(outsider.json).toMatchObject({ code: 403, message: expect.stringMatching(/members of: sre/) });
  });

  it('needs a reason', async () => {
    const id = await openApproval();
    expect((await call('POST', `/approvals/${id}/approve`, 'alice', { reason: '  ' })).json).toMatchObject({ code: 400, message: expect.stringMatching(/reason/) });
    expect((await call('POST', `/approvals/${id}/approve`, 'alice')).status).toBe(400);
    expect((await call('POST', `/approvals/${id}/approve`, 'alice', '{not json')).status).toBe(400);
  });

  it('needs N distinct approvers; the first final decision wins and later ones get 409', async () => {
    const id = await openApproval({ spec: { requiredApprovals: 2 } });
    const first = await call('POST', `/approvals/${id}/approve`, 'alice', { reason: 'looks right' });
    expect(first.json).toMatchObject({ status: 'pending', votes: [{ approver: { username: 'alice' }, reason: 'looks right' }] });
    const again = await call('POST', `/approvals/${id}/approve`, 'alice', { reason: 'really' });
    expect(again.json).toMatchObject({ code: 409, reason: 'Conflict', message: expect.stringMatching(/already approved/) });
    const second = await call('POST', `/approvals/${id}/approve`, 'bob', { reason: 'agreed' });
    expect(second.json).toMatchObject({ status: 'granted', decisionReason: 'agreed', decidedBy: [{ username: 'alice' }, { username: 'bob' }] });
    const late = await call('POST', `/approvals/${id}/deny`, 'bob', { reason: 'changed my mind' });
    expect(late.json).toMatchObject({ code: 409, message: expect.stringMatching(/already granted; the first decision stands/) });
  });

  it('denies with the reason, which the gateway then reports', async () => {
    const id = await openApproval();
    const denied = await call('POST', `/approvals/${id}/deny`, 'alice', { reason: 'not during the sale' });
    expect(denied.json).toMatchObject({ status: 'denied', decisionReason: 'not during the sale', decidedBy: [{ username: 'alice' }] });
    expect(await bus.send(subjects.approvalClaim, { schemaVersion: 1, approvalId: id, requestId: 'r', requestFingerprint: openDelete('x').requestFingerprint })).toEqual({
      outcome: 'not-granted',
      status: 'denied',
      reason: 'denied by alice: not during the sale',
    });
  });

  it('describes every route it serves in GET /openapi.json, and nothing it does not serve', async () => {
    const doc = await call('GET', '/openapi.json');
    expect(doc.json).toMatchObject({ openapi: '3.1.0' });
    expect(doc.json).toEqual(JSON.parse(JSON.stringify(openApiDocument)));
    const served = routesOf(replica.app);
    const documented = Object.entries(openApiDocument.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(served.sort()).toEqual(documented.sort());
  });
});

/** The routes Express serves, as "METHOD /path/{param}". */
function routesOf(app: INestApplication): string[] {
  const express = app.getHttpAdapter().getInstance() as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } };
  return express.router.stack
    .filter((layer) => layer.route)
    .flatMap((layer) =>
      Object.keys(layer.route?.methods ?? {}).map((m) => `${m.toUpperCase()} ${(layer.route?.path ?? '').replace(/:([A-Za-z]+)/g, '{$1}')}`),
    );
}
