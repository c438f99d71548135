import { randomUUID } from 'node:crypto';
import {
  ChaperoneEventSchema,
  ContractViolation,
  EvaluationRequestSchema,
  Effects,
  parseContract,
  busSubjects,
  partitionOf,
  EVENT_PARTITIONS,
  MAX_PRUNED_BODIES_PER_EVENT,
  type ChaperoneEvent,
  type RequestIntercepted,
} from './index';

const identity = { subject: 's', username: 'u', groups: ['agents'], agent: 'bot', issuer: 'https://issuer' };

describe('contracts', () => {
  it('orders effects from least to most restrictive', () => {
    expect(Effects).toEqual(['allow', 'mask', 'approve', 'deny']);
  });

  it('names event subjects after their partition and type', () => {
    const p = partitionOf('session-1');
    const subjects = busSubjects();
    expect(subjects.event('PolicyDecided', 'session-1')).toBe(`chaperone.events.p${p}.PolicyDecided`);
    expect(subjects.health('audit')).toBe('chaperone.health.audit');
  });

  it('isolates prefixes: subjects, queue groups and streams all carry the prefix', () => {
    const s = busSubjects('e2e-run-7');
    expect(s.policyEvaluate).toBe('e2e-run-7.policy.evaluate');
    expect(s.queue('policy')).toBe('e2e-run-7-policy');
    expect(s.eventsStream).toBe('E2E_RUN_7_EVENTS');
    expect(s.auditConsumer(3)).toBe('e2e-run-7-audit-p3');
    expect(s.auditLeaseBucket).toBe('e2e-run-7-audit-leases');
  });

  it('refuses a prefix that is not a single safe subject token', () => {
    for (const bad of ['', 'a.b', 'A', '*', '>', 'has space', 'x'.repeat(33)]) expect(() => busSubjects(bad)).toThrow(/bus prefix/);
  });

  it('spreads sessions over every partition, always the same one per session', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(partitionOf(`s-${i}`));
    expect(seen.size).toBe(EVENT_PARTITIONS);
    expect(partitionOf('abc')).toBe(partitionOf('abc'));
  });

  it('accepts a well-formed event and discriminates it by type', () => {
    const event: ChaperoneEvent = {
      eventId: randomUUID(),
      schemaVersion: 1,
      type: 'RequestCompleted',
      time: new Date().toISOString(),
      requestId: 'r',
      sessionId: 's',
      traceId: 't',
      identity,
      payload: { outcome: 'forwarded', status: 200, bytesOut: 12, durationMs: 3.2 },
    };
    const parsed = parseContract(ChaperoneEventSchema, 'ChaperoneEvent', event);
    expect(parsed.type).toBe('RequestCompleted');
  });

  it('takes a reconciler\'s RequestOutcomeUnknown, schema version 1, and refuses one without a reason or a known reach', () => {
    const event = {
      eventId: randomUUID(),
      schemaVersion: 1,
      type: 'RequestOutcomeUnknown',
      time: new Date().toISOString(),
      requestId: 'r',
      sessionId: 's',
      traceId: 't',
      identity,
      payload: { reason: 'no RequestCompleted 10 minutes after the decision', decisionEventId: 'd', reachedCluster: 'unknown' },
    };
    expect(parseContract(ChaperoneEventSchema, 'ChaperoneEvent', event).type).toBe('RequestOutcomeUnknown');
    expect(() => parseContract(ChaperoneEventSchema, 'ChaperoneEvent', { ...event, payload: { ...event.payload, reason: '' } })).toThrow(/payload.reason/);
    expect(() => parseContract(ChaperoneEventSchema, 'ChaperoneEvent', { ...event, payload: { ...event.payload, reachedCluster: 'maybe' } })).toThrow(/reachedCluster/);
    expect(() => parseContract(ChaperoneEventSchema, 'ChaperoneEvent', { ...event, schemaVersion: 2 })).toThrow(/schemaVersion/);
  });

  it('refuses an event of an unknown type or schema version', () => {
    expect(() => parseContract(ChaperoneEventSchema, 'ChaperoneEvent', { type: 'Nope' })).toThrow(ContractViolation);
    expect(() =>
      parseContract(ChaperoneEventSchema, 'ChaperoneEvent', {
        eventId: 'e',
        schemaVersion: 2,
        type: 'AuthenticationFailed',
        time: '',
        requestId: '',
        sessionId: '',
        traceId: '',
        identity: null,
        payload: { reason: 'expired', method: 'GET', path: '/', sourceAddress: '' },
      }),
    ).toThrow(/schemaVersion/);
  });

  it('names the failing path but never echoes the offending value', () => {
    const secret = 'hunter2-super-secret';
    let err: unknown;
    try {
      parseContract(EvaluationRequestSchema, 'EvaluationRequest', { schemaVersion: 2, intercepted: { ...intercepted(), eventId: secret, identity: { subject: secret } } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ContractViolation);
    expect(String((err as Error).message)).toContain('intercepted.identity.username');
    expect(String((err as Error).message)).not.toContain(secret);
  });

  it('takes a RecordingsPruned event as a run with no agent identity, and caps the bodies one event lists', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const body = { requestId: 'r', sessionId: 's', eventId: 'e', field: 'responseBody', storedDigest: digest, completedAt: '2026-01-01T00:00:00Z', retentionDays: 7 };
    const event = {
      eventId: randomUUID(),
      schemaVersion: 1,
      type: 'RecordingsPruned',
      time: new Date().toISOString(),
      requestId: 'run-1',
      sessionId: '',
      traceId: 'run-1',
      identity: null,
      payload: { asOf: '2026-02-01T00:00:00Z', bodies: [body], blobs: [{ digest, outcome: 'kept', keptFor: 'r2' }] },
    };
    expect(parseContract(ChaperoneEventSchema, 'ChaperoneEvent', event).type).toBe('RecordingsPruned');
    const tooMany = { ...event, payload: { ...event.payload, bodies: Array.from({ length: MAX_PRUNED_BODIES_PER_EVENT + 1 }, () => body) } };
    expect(() => parseContract(ChaperoneEventSchema, 'ChaperoneEvent', tooMany)).toThrow(/payload.bodies/);
    expect(() => parseContract(ChaperoneEventSchema, 'ChaperoneEvent', { ...event, payload: { ...event.payload, blobs: [{ digest, outcome: 'lost' }] } })).toThrow(ContractViolation);
  });

  it('carries the whole intercept in an evaluation request, and only what the contract names', () => {
    const event = intercepted();
    const parsed = parseContract(EvaluationRequestSchema, 'EvaluationRequest', { schemaVersion: 2, intercepted: { ...event, token: 'Bearer x' } });
    expect(parsed.intercepted).toEqual(event);
  });

  it('refuses an evaluation request about an unauthenticated intercept', () => {
    expect(() => parseContract(EvaluationRequestSchema, 'EvaluationRequest', { schemaVersion: 2, intercepted: { ...intercepted(), identity: null } })).toThrow(
      /intercepted\.identity/,
    );
  });
});

function intercepted(): RequestIntercepted {
  return {
    eventId: randomUUID(),
    schemaVersion: 1,
    type: 'RequestIntercepted',
    time: new Date().toISOString(),
    requestId: 'r',
    sessionId: 's',
    traceId: 't',
    identity,
    payload: {
      method: 'GET',
      path: '/api',
      query: '',
      request: { isResourceRequest: false, path: '/api', verb: 'get' },
      userAgent: 'kubectl',
      sourceAddress: '127.0.0.1',
      upgrade: false,
    },
  };
}
