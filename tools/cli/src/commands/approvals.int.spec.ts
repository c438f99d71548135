import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { connect, type NatsConnection } from 'nats';
import { createLocalIssuer, type LocalIssuer } from '@chaperone/auth';
import { busSubjects, OpenApprovalReplySchema, requestFingerprint, type OpenApproval } from '@chaperone/contracts';
import type { Io } from '../command';
import { run } from '../run';
import { commands } from './index';

interface ServiceHandle {
  urls: string[];
  child: import('node:child_process').ChildProcess;
}
// The approval service as its own process, started the way `npm start` and the e2e tests start it.
// eslint-disable-next-line @typescript-eslint/no-require-imports, @nx/enforce-module-boundaries
const stack = require('../../../../scripts/stack.js') as {
  ROOT: string;
  startService(name: string, env: Record<string, string>): Promise<ServiceHandle>;
  stopService(info: ServiceHandle): Promise<void>;
};

const NATS = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const ISSUER = 'https://issuer.cli-approvals.test';

function capture(env: Record<string, string>): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', env, out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

describe('chaperone approvals, against a running approval service (real NATS + JetStream)', () => {
  const subjects = busSubjects(`t-cli-${randomUUID().slice(0, 8)}`);
  const dir = mkdtempSync(join(tmpdir(), 'cli-approvals-'));
  let issuer: LocalIssuer;
  let service: ServiceHandle;
  let nc: NatsConnection;
  let gateway: ClientProxy;
  let server: string;
  const tokens: Record<string, string> = {};

  const cli = async (who: string, ...argv: string[]) => {
    const io = capture({ CHAPERONE_APPROVAL_URL: server, CHAPERONE_TOKEN: tokens[who] ?? who });
    const code = await run(argv, io, commands);
    return { code, out: io.stdout, err: io.stderr };
  };

  const open = async (name: string, extra: Partial<OpenApproval> = {}): Promise<string> => {
    const path = `/api/v1/namespaces/shop/pods/${name}`;
    const identity = { subject: 'agent-7', username: 'agent-7', groups: ['agents'], agent: 'claude', issuer: ISSUER };
    const msg: OpenApproval = {
      schemaVersion: 1,
      requestId: randomUUID(),
      sessionId: 's',
      traceId: 't',
      interceptEventId: randomUUID(),
      decisionEventId: randomUUID(),
      identity,
      request: { isResourceRequest: true, path, verb: 'delete', apiPrefix: 'api', apiGroup: '', apiVersion: 'v1', namespace: 'shop', resource: 'pods', subresource: '', name, parts: ['pods', name] },
      method: 'DELETE',
      path,
      query: '',
      requestFingerprint: requestFingerprint({ subject: identity.subject, verb: 'delete', path, query: '', bodyDigest: '' }),
      reason: 'stuck in CrashLoopBackOff',
      rule: 'approve-pod-deletes',
      spec: { mode: 'ticket', modeHeaderAllowed: false, timeoutSeconds: 300, approverGroups: ['sre'], requiredApprovals: 1, requireReason: false, grantTtlSeconds: 600 },
      ...extra,
    };
    const reply = OpenApprovalReplySchema.parse(await firstValueFrom(gateway.send(subjects.approvalOpen, msg)));
    if (reply.outcome !== 'pending') throw new Error(`unexpected ${reply.outcome}`);
    return reply.approvalId;
  };

  beforeAll(async () => {
    if (!existsSync(resolve(stack.ROOT, 'services/approval/dist/main.js'))) throw new Error('build the approval service first (npm run build)');
    issuer = await createLocalIssuer({ issuer: ISSUER, audience: 'chaperone', alg: 'ES256' });
    issuer.writeJwksFile(join(dir, 'jwks.json'));
    for (const [who, groups] of [['alice', ['sre']], ['bob', ['sre']], ['agent-7', ['sre']]] as const) tokens[who] = await issuer.sign({ sub: who, groups: [...groups] });
    service = await stack.startService('approval', {
      CHAPERONE_NATS_URL: NATS,
      CHAPERONE_BUS_PREFIX: subjects.prefix,
      CHAPERONE_HEALTH_PORT: '0',
      CHAPERONE_OIDC_ISSUER: ISSUER,
      CHAPERONE_OIDC_AUDIENCES: 'chaperone',
      CHAPERONE_OIDC_JWKS_FILE: join(dir, 'jwks.json'),
      CHAPERONE_OIDC_ALGORITHMS: 'ES256',
    });
    server = service.urls[0] ?? '';
    expect(server).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    nc = await connect({ servers: NATS });
    gateway = ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: [NATS] } });
  }, 60_000);

  afterAll(async () => {
    if (service) await stack.stopService(service);
    await gateway?.close();
    if (nc) {
      await (await nc.jetstreamManager()).streams.delete(subjects.evidenceStream).catch(() => undefined);
      await nc.drain();
    }
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('lists pending approvals as a table, and as JSON', async () => {
    const id = await open('web-0');
    const listed = await cli('alice', 'approvals', 'list', '--namespace', 'shop');
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/^ID\s+AGE\s+STATUS\s+VOTES\s+AGENT\s+REQUEST\s+REASON/);
    expect(listed.out).toMatch(new RegExp(`${id}\\s+\\d+s\\s+pending\\s+0/1\\s+claude\\s+delete pods web-0 -n shop\\s+stuck in CrashLoopBackOff`));
    const json = await cli('alice', 'approvals', 'list', '--json', '--agent', 'claude');
    expect((JSON.parse(json.out) as { items: { approvalId: string }[] }).items.map((i) => i.approvalId)).toContain(id);
    expect((await cli('alice', 'approvals', 'list', '--namespace', 'elsewhere')).out).toBe('no pending approvals you may see\n');
  });

  it('shows the request, the masked body and the changes a patch would make', async () => {
    const live = { kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 3 } };
    const body = JSON.stringify({ spec: { replicas: 0 } });
    const id = await open('web-1', {
      method: 'PATCH',
      request: { isResourceRequest: true, path: '/apis/apps/v1/namespaces/shop/deployments/web', verb: 'patch', apiPrefix: 'apis', apiGroup: 'apps', apiVersion: 'v1', namespace: 'shop', resource: 'deployments', subresource: '', name: 'web', parts: ['deployments', 'web'] },
      requestBody: { digest: `sha256:${'b'.repeat(64)}`, size: body.length, contentType: 'application/merge-patch+json', masked: body, truncated: false },
      liveObject: { masked: JSON.stringify(live), truncated: false },
    });
    const shown = await cli('alice', 'approvals', 'show', id);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('Request:    patch deployments.apps web -n shop');
    expect(shown.out).toContain('Reason:     stuck in CrashLoopBackOff');
    expect(shown.out).toContain('Changes to the live object (merge-patch):\n  ~ /spec/replicas: 3 -> 0');
  });

  it('approves with a reason; refuses self-approval, late decisions and missing reasons with the server’s message', async () => {
    const id = await open('web-2');
    expect(await cli('alice', 'approvals', 'approve', id)).toMatchObject({ code: 2, err: expect.stringContaining('needs --reason') });
    const self = await cli('agent-7', 'approvals', 'approve', id, '--reason', 'trust me');
    expect(self).toMatchObject({ code: 1, err: expect.stringMatching(/403 Forbidden: approval .* cannot decide on its own request/) });
    expect(self.err).not.toContain(tokens['agent-7']);
    const granted = await cli('alice', 'approvals', 'approve', id, '--reason', 'it is stuck');
    expect(granted).toMatchObject({ code: 0, out: expect.stringMatching(new RegExp(`approval ${id}: granted: the request may run once, until `)) });
    const late = await cli('bob', 'approvals', 'deny', id, '--reason', 'too late');
    expect(late).toMatchObject({ code: 1, err: expect.stringMatching(/409 Conflict: approval .* is already granted; the first decision stands/) });
    const bad = await cli('not-a-token', 'approvals', 'list');
    expect(bad).toMatchObject({ code: 1, err: expect.stringMatching(/401 Unauthorized/) });
    expect(bad.err).not.toContain('not-a-token');
  });

  it('denies with the reason the agent will see', async () => {
    const id = await open('web-3');
    expect(await cli('bob', 'approvals', 'deny', id, '--reason', 'not during the sale')).toMatchObject({ code: 0, out: `approval ${id}: denied\n` });
    const shown = await cli('alice', 'approvals', 'show', id);
    expect(shown.out).toContain('Denied by:  bob: not during the sale');
  });
});
