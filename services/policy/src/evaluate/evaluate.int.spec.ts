import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { connect, createInbox, type JetStreamManager, type NatsConnection } from 'nats';
import { answerCarriedBy, decodeJson, encodeJson, requestJson, RpcFailed } from '@chaperone/bus';
import { busSubjects, EvaluationReplySchema, type BusSubjects, type EvaluationReply, type EvaluationRequest, type RequestIntercepted } from '@chaperone/contracts';
import { Readiness } from '@chaperone/service-runtime';
import { PolicyModule } from '../policy.module';
import { PolicyStore } from '../rules';
import { decisionEventId } from './decision-event-id';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];
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

function intercepted(verb: 'list' | 'delete', sessionId = 'session-int'): RequestIntercepted & EvaluationRequest['intercepted'] {
  const path = '/api/v1/namespaces/default/pods';
  return {
    eventId: randomUUID(),
    schemaVersion: 1,
    type: 'RequestIntercepted',
    time: new Date().toISOString(),
    requestId: randomUUID(),
    sessionId,
    traceId: 'trace-int',
    identity: { subject: 'bot', username: 'bot', groups: ['agents'], agent: 'bot', issuer: 'https://issuer' },
    payload: {
      method: verb === 'list' ? 'GET' : 'DELETE',
      path,
      query: 'limit=500',
      request: {
        isResourceRequest: true,
        path,
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
      userAgent: 'kubectl/v1.32.0',
      sourceAddress: '127.0.0.1',
      upgrade: false,
    },
  };
}

const evaluationRequest = (event: EvaluationRequest['intercepted']): EvaluationRequest => ({ schemaVersion: 2, intercepted: event });

/** The policy service as it runs: its module in a Nest application, on a bus prefix of its own. */
async function startPolicy(subjects: BusSubjects, policyFile: string, watch: boolean): Promise<INestApplication> {
  const app = await NestFactory.create(
    PolicyModule.forRoot({
      runtime: { service: 'policy', natsServers: servers, busPrefix: subjects.prefix, events: { maxBytes: 1 << 24, maxMsgs: -1, publishTimeoutMs: 2000 } },
      store: PolicyStore.fromFile(policyFile),
      watch,
    }),
    { logger: false },
  );
  await app.init();
  return app;
}

describe('policy service over real NATS', () => {
  jest.setTimeout(30_000);
  const subjects = busSubjects(`policy-int-${randomUUID().slice(0, 8)}`);
  const dir = mkdtempSync(join(tmpdir(), 'policy-int-'));
  let app: INestApplication;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  const ask = async (request: unknown): Promise<EvaluationReply> => EvaluationReplySchema.parse(await requestJson(nc, subjects.policyEvaluate, request, 5000));
  const storedCount = async (): Promise<number> => (await jsm.streams.info(subjects.eventsStream)).state.messages;
  const lastStored = async () => {
    const seq = (await jsm.streams.info(subjects.eventsStream)).state.last_seq;
    const m = await jsm.streams.getMessage(subjects.eventsStream, { seq });
    return { subject: m.subject, msgId: m.header.get('Nats-Msg-Id'), body: decodeJson(m.data) };
  };

  beforeAll(async () => {
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    app = await startPolicy(subjects, join(dir, 'policy.yaml'), true);
    nc = await connect({ servers });
    jsm = await nc.jetstreamManager();
  });

  afterAll(async () => {
    await app.close();
    await jsm.streams.delete(subjects.eventsStream);
    await nc.drain();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is ready once it serves evaluation requests', () => {
    expect(app.get(Readiness).evaluate().checks['evaluate']).toMatchObject({ ok: true });
  });

  it('given an allowed request, when asked to evaluate, then the intercept and its decision are one stored message before it replies allow', async () => {
    const event = intercepted('list');
    const before = await storedCount();
    const reply = await ask(evaluationRequest(event));
    // Read right after the reply, without waiting: the reply is sent only after the PubAck.
    const stored = await lastStored();
    expect(await storedCount()).toBe(before + 1);
    expect(reply).toMatchObject({ schemaVersion: 1, decisionEventId: decisionEventId(event.eventId), decision: { effect: 'allow', rule: 'read-pods' } });
    expect(stored.msgId).toBe(reply.decisionEventId);
    expect(stored.subject).toBe(subjects.event('PolicyDecided', event.sessionId));
    expect(stored.body).toEqual([
      event,
      {
        eventId: reply.decisionEventId,
        schemaVersion: 1,
        type: 'PolicyDecided',
        time: expect.any(String),
        requestId: event.requestId,
        sessionId: event.sessionId,
        traceId: event.traceId,
        identity: event.identity,
        payload: { interceptEventId: event.eventId, decision: reply.decision },
      },
    ]);
  });

  it('given a request naming acknowledgeTo, then the same message is published with the acknowledgement sent there, and the reply says so', async () => {
    const event = intercepted('list');
    const before = await storedCount();
    const acknowledgeTo = createInbox();
    const acks = nc.subscribe(acknowledgeTo, { max: 1 });
    const reply = await ask({ ...evaluationRequest(event), acknowledgeTo });
    expect(reply).toMatchObject({ decisionEventId: decisionEventId(event.eventId), decision: { effect: 'allow' }, acknowledgedTo: acknowledgeTo });
    for await (const m of acks) expect(decodeJson(m.data)).toMatchObject({ stream: subjects.eventsStream, seq: expect.any(Number) });
    expect(await storedCount()).toBe(before + 1);
    const stored = await lastStored();
    expect(stored.msgId).toBe(reply.decisionEventId);
    expect(stored.subject).toBe(subjects.event('PolicyDecided', event.sessionId));
    expect((stored.body as unknown[])[0]).toEqual(event);
  });

  it('given a request naming acknowledgeTo and asking for the answer with the acknowledgement, then the acknowledgement comes to acknowledgeTo.<answer> and no reply is sent', async () => {
    const event = intercepted('list');
    const before = await storedCount();
    const acknowledgeTo = createInbox();
    const replyTo = createInbox();
    const acks = nc.subscribe(`${acknowledgeTo}.*`, { max: 1 });
    const replies = nc.subscribe(replyTo);
    nc.publish(subjects.policyEvaluate, encodeJson({ ...evaluationRequest(event), acknowledgeTo, answerWithAcknowledgement: true }), { reply: replyTo });
    for await (const m of acks) {
      expect(decodeJson(m.data)).toMatchObject({ stream: subjects.eventsStream, seq: expect.any(Number) });
      const answer = EvaluationReplySchema.parse(answerCarriedBy(m.subject.slice(acknowledgeTo.length + 1)));
      expect(answer).toEqual({ schemaVersion: 1, decisionEventId: decisionEventId(event.eventId), decision: expect.objectContaining({ effect: 'allow', rule: 'read-pods' }) });
    }
    expect(await storedCount()).toBe(before + 1);
    expect((await lastStored()).msgId).toBe(decisionEventId(event.eventId));
    // Nothing else comes: the answer went with the acknowledgement.
    await nc.flush();
    await new Promise((r) => setTimeout(r, 200));
    expect(replies.getProcessed()).toBe(0);
    replies.unsubscribe();
  });

  it('given several evaluation requests read at once (a burst), then their intercepts and decisions are stored in fewer messages, in order, and a reply in a group comes after the acknowledgement', async () => {
    const events = Array.from({ length: 6 }, () => intercepted('list'));
    const before = (await jsm.streams.info(subjects.eventsStream)).state.last_seq;
    const acknowledgeTo = createInbox();
    // Published in one round: they leave in one socket write and reach the policy service together.
    const replies = await Promise.all(events.map((e) => ask({ ...evaluationRequest(e), acknowledgeTo })));
    expect(replies.every((r) => r.decision.effect === 'allow')).toBe(true);
    const last = (await jsm.streams.info(subjects.eventsStream)).state.last_seq;
    const bodies: unknown[] = [];
    for (let seq = before + 1; seq <= last; seq++) bodies.push(decodeJson((await jsm.streams.getMessage(subjects.eventsStream, { seq })).data));
    expect(bodies.length).toBeLessThan(events.length);
    expect(bodies.flat().map((e) => (e as { eventId: string }).eventId)).toEqual(events.flatMap((e) => [e.eventId, decisionEventId(e.eventId)]));
    // A decision stored in a group was acknowledged to the policy service, which says so by not naming acknowledgeTo.
    const grouped = bodies.filter((b) => (b as unknown[]).length > 2).flatMap((b) => (b as { type: string; eventId: string }[]).filter((e) => e.type === 'PolicyDecided').map((e) => e.eventId));
    expect(grouped.length).toBeGreaterThan(1);
    for (const r of replies) expect(r.acknowledgedTo).toBe(grouped.includes(r.decisionEventId) ? undefined : acknowledgeTo);
  });

  it('given an acknowledgeTo that is not a plain subject, then it answers a contract error and stores nothing', async () => {
    const before = await storedCount();
    await expect(requestJson(nc, subjects.policyEvaluate, { ...evaluationRequest(intercepted('list')), acknowledgeTo: '_INBOX.*' }, 5000)).rejects.toThrow(/acknowledgeTo/);
    expect(await storedCount()).toBe(before);
  });

  it('given a request no rule allows, then it is denied by default, and that is stored too', async () => {
    const event = intercepted('delete');
    const reply = await ask(evaluationRequest(event));
    expect(reply.decision).toMatchObject({ effect: 'deny', rule: 'default-deny' });
    expect((await lastStored()).body).toMatchObject([{ eventId: event.eventId }, { eventId: reply.decisionEventId, payload: { decision: { effect: 'deny' } } }]);
  });

  it('given the same request again (a retry), then it answers the same decision id and stores nothing new', async () => {
    const request = evaluationRequest(intercepted('list'));
    const a = await ask(request);
    const after = await storedCount();
    const b = await ask(request);
    expect(b.decisionEventId).toBe(a.decisionEventId);
    expect(await storedCount()).toBe(after);
  });

  it('given fields the contract does not name, then they are not stored', async () => {
    const event = intercepted('list');
    await ask({ schemaVersion: 2, intercepted: { ...event, authorization: 'Bearer not-evidence' } });
    expect(JSON.stringify((await lastStored()).body)).not.toContain('not-evidence');
  });

  it('given a message that breaks the contract, then it answers an error naming the field, never the value, and stores nothing', async () => {
    const secret = 'Bearer eyJhbGciOi-secret';
    const before = await storedCount();
    const bad = { schemaVersion: 2, intercepted: { ...intercepted('list'), identity: { subject: secret } } };
    const refused = requestJson(nc, subjects.policyEvaluate, bad, 5000);
    await expect(refused).rejects.toBeInstanceOf(RpcFailed);
    await expect(refused).rejects.toThrow(/intercepted\.identity\.username/);
    await expect(refused).rejects.not.toThrow(secret);
    await expect(requestJson(nc, subjects.policyEvaluate, evaluationRequest({ ...intercepted('list'), identity: null as never }), 5000)).rejects.toThrow(
      /intercepted\.identity/,
    );
    // A version 1 request (the intercept's id, not the event) is refused, not half-understood.
    await expect(requestJson(nc, subjects.policyEvaluate, { schemaVersion: 1, interceptEventId: 'x' }, 5000)).rejects.toThrow(/schemaVersion/);
    expect(await storedCount()).toBe(before);
  });

  it('given a body that is not JSON, then it answers an error that does not quote it, and stores nothing', async () => {
    const before = await storedCount();
    const reply = await nc.request(subjects.policyEvaluate, new TextEncoder().encode('{"token": "sk-secret-value" oops'), { timeout: 5000 });
    expect(decodeJson(reply.data)).toEqual({ error: { message: 'the request is not valid JSON' } });
    expect(await storedCount()).toBe(before);
  });

  it('given the events stream refuses the write, then it answers an error, not a decision', async () => {
    const info = await jsm.streams.info(subjects.eventsStream);
    await jsm.streams.update(subjects.eventsStream, { ...info.config, max_msgs: info.state.messages });
    try {
      await expect(requestJson(nc, subjects.policyEvaluate, evaluationRequest(intercepted('list')), 5000)).rejects.toThrow(
        /the decision could not be recorded: .*events stream is full/,
      );
    } finally {
      await jsm.streams.update(subjects.eventsStream, { ...info.config, max_msgs: -1 });
    }
    expect(await storedCount()).toBe(info.state.messages);
  });

  it('given a hot reload to a stricter policy, then the next decision uses the new version', async () => {
    const before = await ask(evaluationRequest(intercepted('list')));
    writeFileSync(join(dir, 'policy.yaml'), POLICY.replace('effect: allow', 'effect: deny'));
    await waitFor(async () => (await ask(evaluationRequest(intercepted('list')))).decision.effect === 'deny');
    const after = await ask(evaluationRequest(intercepted('list')));
    expect(after.decision.policyVersion).not.toBe(before.decision.policyVersion);
    // An invalid edit is refused: the stricter policy stays in force.
    writeFileSync(join(dir, 'policy.yaml'), 'rules: [oops');
    await new Promise((r) => setTimeout(r, 400));
    const still = await ask(evaluationRequest(intercepted('list')));
    expect(still.decision).toMatchObject({ effect: 'deny', policyVersion: after.decision.policyVersion });
  });
});

async function storedDecisions(jsm: JetStreamManager, subjects: BusSubjects): Promise<number> {
  const { first_seq, last_seq, messages } = (await jsm.streams.info(subjects.eventsStream)).state;
  let decisions = 0;
  for (let seq = first_seq; messages > 0 && seq <= last_seq; seq++) {
    const body = decodeJson((await jsm.streams.getMessage(subjects.eventsStream, { seq })).data);
    decisions += (Array.isArray(body) ? body : [body]).filter((e: { type?: string }) => e.type === 'PolicyDecided').length;
  }
  return decisions;
}

describe('policy service shutdown over real NATS', () => {
  jest.setTimeout(30_000);
  const subjects = busSubjects(`policy-stop-${randomUUID().slice(0, 8)}`);
  const dir = mkdtempSync(join(tmpdir(), 'policy-stop-'));
  let nc: NatsConnection;

  beforeAll(async () => {
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    nc = await connect({ servers });
  });

  afterAll(async () => {
    await (await nc.jetstreamManager()).streams.delete(subjects.eventsStream);
    await nc.drain();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given a shutdown under load, then each request it took is answered and stored, later ones get no responders, none times out', async () => {
    const app = await startPolicy(subjects, join(dir, 'policy.yaml'), false);
    const results: string[] = [];
    // Eight requesters back to back, each until its first answer that is not a decision.
    const requester = async (): Promise<void> => {
      for (;;) {
        const result = await nc.request(subjects.policyEvaluate, encodeJson(evaluationRequest(intercepted('list'))), { timeout: 3000 }).then(
          (m) => ((decodeJson(m.data) as EvaluationReply).decision?.effect === 'allow' ? 'decided' : 'other'),
          (e: unknown) => `code ${String((e as { code?: string }).code)}`,
        );
        results.push(result);
        if (result !== 'decided') return;
      }
    };
    const requesters = Array.from({ length: 8 }, requester);
    await waitFor(() => results.length >= 100);
    await app.close();
    expect(app.get(Readiness).evaluate().checks['evaluate']).toMatchObject({ ok: false });
    await Promise.all(requesters);
    expect(results.filter((r) => r !== 'decided' && r !== 'code 503')).toEqual([]);
    // Decisions of one round are stored as one message: count the stored decisions.
    expect(await storedDecisions(await nc.jetstreamManager(), subjects)).toBe(results.filter((r) => r === 'decided').length);
  });

  it('given a stopped policy service, then an evaluation request fails with no responders, not a timeout', async () => {
    const started = Date.now();
    const failure = await nc.request(subjects.policyEvaluate, encodeJson(evaluationRequest(intercepted('list'))), { timeout: 5000 }).catch((e: unknown) => e);
    console.log(`no-responders answer after ${Date.now() - started} ms (request timeout 5000 ms)`);
    expect(failure).toMatchObject({ code: '503' });
  });
});

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
