import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { ClientNats, Transport, type MicroserviceOptions } from '@nestjs/microservices';
import type { INestMicroservice } from '@nestjs/common';
import { connect, type NatsConnection } from 'nats';
import { firstValueFrom } from 'rxjs';
import { busSubjects, type DecideRequest, type PolicyDecided } from '@chaperone/contracts';
import { PolicyModule } from '../policy.module';
import { PolicyStore } from '../rules';
import { decisionEventId } from './decision-event-id';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];
const subjects = busSubjects(`policy-int-${randomUUID().slice(0, 8)}`);
const POLICY = `apiVersion: chaperone.dev/v1alpha1
kind: Policy
rules:
  - name: read-pods
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["get", "list"]
    apiGroups: [""]
    resources: ["pods"]
`;

function decideRequest(verb: 'list' | 'delete'): DecideRequest {
  return {
    schemaVersion: 1,
    interceptEventId: randomUUID(),
    requestId: randomUUID(),
    sessionId: 'session-int',
    traceId: 'trace-int',
    identity: { subject: 'bot', username: 'bot', groups: ['agents'], agent: 'bot', issuer: 'https://issuer' },
    request: {
      isResourceRequest: true,
      path: '/api/v1/namespaces/default/pods',
      verb,
      apiPrefix: 'api',
      apiGroup: '',
      apiVersion: 'v1',
      namespace: 'default',
      resource: 'pods',
      subresource: '',
      name: '',
      parts: ['namespaces', 'default', 'pods'],
    },
  };
}

describe('policy service over real NATS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'policy-int-'));
  let app: INestMicroservice;
  let client: ClientNats;
  let nc: NatsConnection;
  const decided: PolicyDecided[] = [];

  beforeAll(async () => {
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    const store = PolicyStore.fromFile(join(dir, 'policy.yaml'));
    app = await NestFactory.createMicroservice<MicroserviceOptions>(PolicyModule.forRoot({
        runtime: { service: 'policy', natsServers: servers, busPrefix: subjects.prefix, events: { maxBytes: 1 << 24, maxMsgs: -1, publishTimeoutMs: 2000 } },
        store,
        watch: true,
      }), {
      transport: Transport.NATS,
      options: { servers, queue: subjects.queue('policy') },
      logger: false,
    });
    await app.listen();
    client = new ClientNats({ servers });
    await client.connect();
    nc = await connect({ servers });
    nc.subscribe(`${subjects.prefix}.events.*.PolicyDecided`, {
      callback: (_e, m) => decided.push(JSON.parse(new TextDecoder().decode(m.data)) as PolicyDecided),
    });
  });

  afterAll(async () => {
    await client.close();
    await app.close();
    await (await nc.jetstreamManager()).streams.delete(subjects.eventsStream);
    await nc.drain();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given an allowed request, when asked to decide, then it replies allow and publishes PolicyDecided', async () => {
    const req = decideRequest('list');
    const reply = await firstValueFrom(client.send(subjects.policyDecide, req));
    expect(reply).toMatchObject({ schemaVersion: 1, decision: { effect: 'allow', rule: 'read-pods' } });
    expect(reply.decisionEventId).toBe(decisionEventId(req.interceptEventId));
    await waitFor(() => decided.some((e) => e.payload.interceptEventId === req.interceptEventId));
    const event = decided.find((e) => e.payload.interceptEventId === req.interceptEventId);
    expect(event).toMatchObject({ eventId: reply.decisionEventId, requestId: req.requestId, sessionId: 'session-int', type: 'PolicyDecided' });
  });

  it('given a request no rule allows, then it is denied by default', async () => {
    const reply = await firstValueFrom(client.send(subjects.policyDecide, decideRequest('delete')));
    expect(reply.decision).toMatchObject({ effect: 'deny', rule: 'default-deny' });
  });

  it('given the same intercept twice (redelivery), then both decisions carry the same event id', async () => {
    const req = decideRequest('list');
    const a = await firstValueFrom(client.send(subjects.policyDecide, req));
    const b = await firstValueFrom(client.send(subjects.policyDecide, req));
    expect(a.decisionEventId).toBe(b.decisionEventId);
  });

  it('given a message that breaks the contract, then it answers an error naming the field, not a decision', async () => {
    const bad = { ...decideRequest('list'), identity: { subject: 'x' } };
    await expect(firstValueFrom(client.send(subjects.policyDecide, bad))).rejects.toMatchObject({
      message: expect.stringContaining('identity.username'),
    });
  });

  it('given a hot reload to a stricter policy, then the next decision uses the new version', async () => {
    const before = await firstValueFrom(client.send(subjects.policyDecide, decideRequest('list')));
    writeFileSync(join(dir, 'policy.yaml'), POLICY.replace('effect: allow', 'effect: deny'));
    await waitFor(async () => (await firstValueFrom(client.send(subjects.policyDecide, decideRequest('list')))).decision.effect === 'deny');
    const after = await firstValueFrom(client.send(subjects.policyDecide, decideRequest('list')));
    expect(after.decision.policyVersion).not.toBe(before.decision.policyVersion);
    // An invalid edit is refused: the stricter policy stays in force.
    writeFileSync(join(dir, 'policy.yaml'), 'rules: [oops');
    await new Promise((r) => setTimeout(r, 400));
    const still = await firstValueFrom(client.send(subjects.policyDecide, decideRequest('list')));
    expect(still.decision).toMatchObject({ effect: 'deny', policyVersion: after.decision.policyVersion });
  });
});

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
