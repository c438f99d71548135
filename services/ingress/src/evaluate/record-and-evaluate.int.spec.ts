import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JetStreamManager, NatsConnection } from 'nats';
import { createAuthenticator, createLocalIssuer, type Authenticator } from '@chaperone/auth';
import { ANSWERED_ELSEWHERE, answerToken, connectBus, decodeJson, DurableEventPublisher, ensureEventsStream, ErrorReply, serveJson, type JsonResponder } from '@chaperone/bus';
import { busSubjects, type BusSubjects, type ChaperoneEvent, type EvaluationReply, type EvaluationRequest, type Decision } from '@chaperone/contracts';
import { trace } from '@opentelemetry/api';
import { Authenticate } from '../authenticate/authenticate';
import { ResponseRecord } from '../context/response-record';
import { StepTimes } from '../context/step-times';
import { GatewayFailure } from '../errors/gateway-errors';
import { EvidenceWriter } from '../evidence/evidence-writer';
import { RequestInfoStage } from '../request-info/request-info';
import type { IngressConfig } from '../tokens';
import { PolicyClient } from './policy-client';
import { RecordAndEvaluate } from './record-and-evaluate';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];
const ALLOW: Decision = {
  effect: 'allow',
  rule: 'read-pods',
  policyVersion: 'sha256:test',
  reason: 'allowed by read-pods',
  matchedRules: ['read-pods'],
  mask: false,
  unmasked: false,
  maskProfile: 'default',
  record: 'none',
};

/**
 * Record and evaluate against the real NATS, behind the real stages before it (a real HTTP request,
 * a verified token): what the evaluation request carries, and who records the intercept. The policy side
 * is a stand-in responder on the bus (a service never imports another service).
 */
describe('record and evaluate (real NATS)', () => {
  jest.setTimeout(30_000);
  const subjects = busSubjects(`intercept-int-${randomUUID().slice(0, 8)}`);
  const dir = mkdtempSync(join(tmpdir(), 'intercept-int-'));
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let authenticator: Authenticator;
  let token = '';
  let server: Server;
  let base = '';
  let policy: JsonResponder | undefined;

  /** The policy stand-in: answers with `answer` and hands over every request it got. */
  const standIn = (answer: (request: unknown) => Promise<unknown>): unknown[] => {
    const seen: unknown[] = [];
    policy = serveJson(nc, {
      subject: subjects.policyEvaluate,
      queue: subjects.queue('policy'),
      handle: (request) => {
        seen.push(request);
        return answer(request);
      },
      onUnexpected: () => undefined,
    });
    return seen;
  };
  const stopStandIn = async (): Promise<void> => {
    await policy?.drain();
    policy = undefined;
  };
  const storedCount = async (): Promise<number> => (await jsm.streams.info(subjects.eventsStream)).state.messages;
  const lastSeq = async (): Promise<number> => (await jsm.streams.info(subjects.eventsStream)).state.last_seq;
  /**
   * The events stored after `afterSeq` for this request. By request id, not by count: the ingress
   * records the intercept of an earlier test's timed-out request itself, and that write may land
   * during a later test.
   */
  const storedFor = async (requestId: string, afterSeq: number): Promise<Array<Record<string, unknown>>> => {
    const found: Array<Record<string, unknown>> = [];
    for (let seq = afterSeq + 1, last = await lastSeq(); seq <= last; seq++) {
      const e = decodeJson((await jsm.streams.getMessage(subjects.eventsStream, { seq })).data) as Record<string, unknown>;
      if (e['requestId'] === requestId) found.push(e);
    }
    return found;
  };
  /** One request through a real HTTP server into admit; the admitted request or the failure's kind and message. */
  const admit = async (): Promise<{ interceptEventId?: string; decisionEventId?: string; kind?: string; message?: string; requestId: string }> => {
    const res = await fetch(`${base}/api/v1/namespaces/default/pods?limit=5`, { headers: { authorization: `Bearer ${token}`, 'user-agent': 'kubectl/v1.32.0' } });
    return (await res.json()) as { requestId: string };
  };

  beforeAll(async () => {
    const issuer = await createLocalIssuer({ issuer: 'https://intercept-int', audience: 'chaperone' });
    issuer.writeJwksFile(join(dir, 'jwks.json'));
    authenticator = createAuthenticator({ issuer: issuer.issuer, audiences: ['chaperone'], algorithms: ['ES256'], clockToleranceSec: 0, jwks: { kind: 'file', path: join(dir, 'jwks.json') } });
    token = await issuer.sign({ sub: 'bot', groups: ['agents'], agent: 'bot', sid: 'session-int' });
    nc = await connectBus(servers, 'intercept-int');
    jsm = await nc.jetstreamManager();
    await ensureEventsStream(jsm, subjects, { maxBytes: 1 << 20, maxMsgs: -1 });
    const evidence = new EvidenceWriter(new DurableEventPublisher(nc, subjects, 2000));
    const authenticate = new Authenticate(authenticator, evidence);
    const requestInfo = new RequestInfoStage({ service: 'ingress', instance: 'ingress-int' });
    const recordAndEvaluate = new RecordAndEvaluate(new PolicyClient(nc, { policyTimeoutMs: 2000 } as IngressConfig, subjects), evidence);
    const tracer = trace.getTracer('test');
    server = createServer((req, res) => {
      const requestId = randomUUID();
      const received = { stage: 'received', exchange: { kind: 'http', req, res }, requestId, started: 0, span: tracer.startSpan('test'), response: new ResponseRecord(), steps: new StepTimes() } as const;
      authenticate
        .run(received)
        .then((authenticated) => recordAndEvaluate.run(requestInfo.run(authenticated)))
        .then(
          (d) => res.end(JSON.stringify({ requestId, interceptEventId: d.intercepted.eventId, decisionEventId: d.decisionEventId })),
          (e: unknown) => {
            const error = e instanceof GatewayFailure ? e.error : { kind: 'thrown', message: String(e) };
            res.end(JSON.stringify({ requestId, kind: error.kind, message: 'message' in error ? error.message : undefined }));
          },
        );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(stopStandIn);

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    authenticator.close();
    await jsm.streams.delete(subjects.eventsStream);
    await nc.drain();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given policy evaluates, then the evaluation request carries the whole RequestIntercepted and the ingress stores nothing itself', async () => {
    const seen = standIn(async () => ({ schemaVersion: 1, decisionEventId: 'd-1', decision: ALLOW }) satisfies EvaluationReply);
    const before = await storedCount();
    const admitted = await admit();
    expect(admitted).toMatchObject({ decisionEventId: 'd-1' });
    expect(seen).toEqual([
      {
        schemaVersion: 2,
        acknowledgeTo: expect.stringMatching(/^_INBOX\./),
        answerWithAcknowledgement: true,
        intercepted: {
          eventId: admitted.interceptEventId,
          schemaVersion: 1,
          type: 'RequestIntercepted',
          time: expect.any(String),
          requestId: admitted.requestId,
          sessionId: 'session-int',
          traceId: expect.any(String),
          identity: { subject: 'bot', username: 'bot', groups: ['agents'], agent: 'bot', issuer: 'https://intercept-int' },
          payload: {
            gateway: 'ingress-int',
            method: 'GET',
            path: '/api/v1/namespaces/default/pods',
            query: 'limit=5',
            request: expect.objectContaining({ verb: 'list', resource: 'pods', namespace: 'default' }),
            userAgent: 'kubectl/v1.32.0',
            sourceAddress: '127.0.0.1',
            upgrade: false,
          },
        },
      },
    ]);
    // Storing both events is the policy service's job; this stand-in stores nothing, so neither does anyone.
    await nc.flush();
    await new Promise((r) => setTimeout(r, 200));
    expect(await storedCount()).toBe(before);
  });

  /** How a delegating stand-in answers: the subject it has the write acknowledged to, and what it returns (a reply, or none). */
  type Handover = (acknowledgeTo: string, answer: EvaluationReply) => { to: string; returns: unknown };
  const replyingAtOnce: Handover = (to, answer) => ({ to, returns: { ...answer, acknowledgedTo: to } });
  const inTheAcknowledgement =
    (token: (answer: EvaluationReply) => string = (a) => answerToken(a) ?? ''): Handover =>
    (to, answer) => ({ to: `${to}.${token(answer)}`, returns: ANSWERED_ELSEWHERE });

  /** A policy stand-in that publishes the intercept (and a decision) for the ingress to be acknowledged, and answers at once. */
  const delegating = (publishTo: BusSubjects, handover: Handover = replyingAtOnce): unknown[] =>
    standIn(async (request) => {
      const { intercepted, acknowledgeTo } = request as EvaluationRequest;
      const decided = { ...intercepted, eventId: `${intercepted.eventId}-d`, type: 'PolicyDecided', payload: { interceptEventId: intercepted.eventId, decision: ALLOW } } as unknown as ChaperoneEvent;
      const { to, returns } = handover(acknowledgeTo as string, { schemaVersion: 1, decisionEventId: decided.eventId, decision: ALLOW });
      new DurableEventPublisher(nc, publishTo, 2000).publishEncodedAcknowledgedTo([intercepted, decided].map((e) => JSON.stringify(e)), decided, to);
      return returns;
    });

  it('given policy hands the acknowledgement over, then the decision counts once the events stream acknowledged the write', async () => {
    delegating(subjects);
    const before = await storedCount();
    const admitted = await admit();
    expect(admitted).toMatchObject({ decisionEventId: `${admitted.interceptEventId}-d` });
    expect(await storedCount()).toBe(before + 1);
  });

  it('given the handed-over write is not stored (nothing stores its subject), then policy-unavailable: nothing is admitted', async () => {
    delegating(busSubjects(`no-stream-${randomUUID().slice(0, 8)}`));
    const refused = await admit();
    expect(refused).toMatchObject({ kind: 'policy-unavailable', message: expect.stringContaining('the decision could not be recorded') });
  });

  it('given policy answers with the acknowledgement (no reply), then the decision counts once the events stream acknowledged the write', async () => {
    delegating(subjects, inTheAcknowledgement());
    const before = await storedCount();
    const admitted = await admit();
    expect(admitted).toMatchObject({ decisionEventId: `${admitted.interceptEventId}-d` });
    expect(await storedCount()).toBe(before + 1);
  });

  it('given policy answers with the acknowledgement but the write is not stored, then policy-unavailable: nothing is admitted', async () => {
    delegating(busSubjects(`no-stream-${randomUUID().slice(0, 8)}`), inTheAcknowledgement());
    const refused = await admit();
    expect(refused).toMatchObject({ kind: 'policy-unavailable', message: expect.stringContaining('the decision could not be recorded') });
  });

  it('given the acknowledgement carries something that is not an answer, then policy-unavailable: nothing is admitted', async () => {
    delegating(subjects, inTheAcknowledgement(() => Buffer.from('{"not": json').toString('base64url')));
    const refused = await admit();
    expect(refused).toMatchObject({ kind: 'policy-unavailable', message: expect.stringContaining('could not evaluate the request (the reply is not JSON)') });
    await stopStandIn();
    delegating(subjects, inTheAcknowledgement(() => Buffer.from(JSON.stringify({ schemaVersion: 1, decision: { effect: 'allow' } })).toString('base64url')));
    expect(await admit()).toMatchObject({ kind: 'policy-unavailable', message: expect.stringContaining('invalid reply') });
  });

  it('given policy says the acknowledgement comes but none does, then policy-unavailable after the timeout', async () => {
    standIn(async (request) => ({ schemaVersion: 1, decisionEventId: 'd-2', decision: ALLOW, acknowledgedTo: (request as EvaluationRequest).acknowledgeTo }));
    const refused = await admit();
    expect(refused).toMatchObject({ kind: 'policy-unavailable', message: 'the policy service did not answer within 2000 ms' });
  });

  it('given no policy service, then policy-unavailable (no responders) and the ingress records the RequestIntercepted itself', async () => {
    const before = await lastSeq();
    const refused = await admit();
    expect(refused).toMatchObject({ kind: 'policy-unavailable', message: expect.stringContaining('unreachable') });
    await waitFor(async () => (await storedFor(refused.requestId, before)).length > 0);
    const stored = await storedFor(refused.requestId, before);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ type: 'RequestIntercepted', requestId: refused.requestId, payload: { query: 'limit=5' } });
  });

  it('given policy answers an error, then policy-unavailable with its message, and the ingress records the RequestIntercepted itself', async () => {
    standIn(async () => {
      throw new ErrorReply('the decision could not be recorded: the events stream is full');
    });
    const before = await lastSeq();
    const refused = await admit();
    expect(refused).toMatchObject({ kind: 'policy-unavailable', message: 'the policy service could not evaluate the request (the decision could not be recorded: the events stream is full)' });
    await waitFor(async () => (await storedFor(refused.requestId, before)).length > 0);
    expect(await storedFor(refused.requestId, before)).toEqual([expect.objectContaining({ type: 'RequestIntercepted', requestId: refused.requestId })]);
  });
});

async function waitFor(cond: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
