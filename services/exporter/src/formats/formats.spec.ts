import Ajv from 'ajv';
import { initialJoinerState, join, type ExportRecord } from '../join/request-joiner';
import { sampleRequestEvents, type SampleRequest } from '../testing/sample-events';
import auditSchema from '../fixtures/audit-k8s-io-v1-event.schema.json';
import ocsfSchema from '../fixtures/ocsf-1.6.0-api-activity.schema.json';
import { AuditAnnotations, auditEventList, toAuditEvent } from './k8s-audit-event';
import { toOcsfApiActivity } from './ocsf-api-activity';

const ajv = new Ajv({ allErrors: true, strict: false });
const validateAudit = ajv.compile(auditSchema);
const validateEventList = ajv.compile({ ...auditSchema, $id: 'list', $ref: '#/definitions/EventList' });
const validateOcsf = ajv.compile(ocsfSchema);

/** Given a request's events, when they are joined in store order, then this record. */
function recordOf(s: SampleRequest): ExportRecord {
  const state = initialJoinerState();
  let out: ExportRecord | undefined;
  sampleRequestEvents(s).forEach((e, i) => (out = join(state, e, { globalPosition: i + 1, stream: `session-${s.sessionId}`, eventId: e.eventId, recordedAt: e.time }) ?? out));
  if (!out) throw new Error('no record');
  expect(state.pending.size).toBe(0);
  return out;
}

const errors = (v: { errors?: unknown }) => JSON.stringify(v.errors ?? null);

describe('audit.k8s.io/v1 Event', () => {
  it('a forwarded request: the agent as user, the impersonated user, objectRef, status, timestamps, decision annotations', () => {
    const event = toAuditEvent(recordOf({ requestId: 'r-1', sessionId: 's-1', approvalId: 'ap-9' }));
    expect(validateAudit(event)).toBe(true);
    expect(event).toMatchObject({
      auditID: 'r-1',
      stage: 'ResponseComplete',
      level: 'Metadata',
      verb: 'get',
      requestURI: '/api/v1/namespaces/team-a/pods/web-1?limit=5',
      user: { username: 'deployer', uid: 'sub-123' },
      impersonatedUser: { username: 'agent:deployer', groups: ['agents', 'system:authenticated'] },
      sourceIPs: ['10.0.0.7'],
      userAgent: 'kubectl/v1.32.0',
      objectRef: { resource: 'pods', namespace: 'team-a', name: 'web-1', apiGroup: '', apiVersion: 'v1' },
      responseStatus: { code: 200 },
      requestReceivedTimestamp: '2025-03-04T05:06:07.000000Z',
      stageTimestamp: '2025-03-04T05:06:07.020000Z',
    });
    expect(event.annotations).toEqual({
      [AuditAnnotations.decision]: 'allow',
      [AuditAnnotations.rule]: 'read-pods',
      [AuditAnnotations.policyVersion]: 'sha256:' + 'ab'.repeat(32),
      [AuditAnnotations.approvalId]: 'ap-9',
      [AuditAnnotations.session]: 's-1',
      [AuditAnnotations.outcome]: 'forwarded',
      [AuditAnnotations.traceId]: 'trace-r-1',
      [AuditAnnotations.authorizationDecision]: 'allow',
      [AuditAnnotations.authorizationReason]: 'pods may be read',
    });
  });

  it('a refused request is a Failure with the policy reason; a batch is an EventList', () => {
    const event = toAuditEvent(recordOf({ requestId: 'r-2', sessionId: 's-1', effect: 'deny' }));
    expect(event.responseStatus).toEqual({ metadata: {}, status: 'Failure', code: 403, reason: 'Forbidden', message: 'secrets are off limits' });
    expect(event.annotations[AuditAnnotations.authorizationDecision]).toBe('forbid');
    expect(validateEventList(auditEventList([event]))).toBe(true);
  });

  it('the fixture refuses what the API reference does not define (so the checks above can fail)', () => {
    const event = toAuditEvent(recordOf({ requestId: 'r-3', sessionId: 's-1' })) as unknown as Record<string, unknown>;
    expect(validateAudit({ ...event, requestReceivedTimestamp: '2025-03-04T05:06:07.000Z' })).toBe(false);
    expect(validateAudit({ ...event, objectRef: { kind: 'Pod' } })).toBe(false);
    const { auditID: _omit, ...withoutId } = event;
    expect(validateAudit(withoutId)).toBe(false);
    expect(validateAudit({ ...event, stage: 'Done' })).toBe(false);
  });
});

describe('OCSF API Activity (6003)', () => {
  it.each([
    ['get', 2],
    ['list', 2],
    ['create', 1],
    ['patch', 3],
    ['delete', 4],
  ] as const)('%s is activity %d and validates against the 1.6.0 fixture', (verb, activity) => {
    const r = toOcsfApiActivity(recordOf({ requestId: `r-${verb}`, sessionId: 's-1', verb, path: verb === 'list' || verb === 'create' ? '/api/v1/namespaces/team-a/pods' : undefined }));
    const valid = validateOcsf(r);
    if (!valid) throw new Error(errors(validateOcsf));
    expect(r).toMatchObject({ class_uid: 6003, category_uid: 6, activity_id: activity, type_uid: 600300 + activity, time: Date.parse('2025-03-04T05:06:07.020Z') });
    expect(r.actor.user).toMatchObject({ name: 'deployer', uid: 'sub-123' });
    expect(r.api).toMatchObject({ operation: verb, request: { uid: `r-${verb}` }, response: { code: 200 } });
    expect(r.unmapped).toEqual({ chaperone: { impersonated_user: 'agent:deployer', decision: 'allow', rule: 'read-pods', policy_version: 'sha256:' + 'ab'.repeat(32), outcome: 'forwarded', trace_id: `trace-r-${verb}` } });
  });

  it('a refused request is a failure; the fixture refuses a record without its required attributes', () => {
    const r = toOcsfApiActivity(recordOf({ requestId: 'r-9', sessionId: 's-1', effect: 'deny' }));
    expect(validateOcsf(r)).toBe(true);
    expect(r).toMatchObject({ status_id: 2, status: 'Failure', api: { response: { code: 403, error: 'refused', message: 'secrets are off limits' } } });
    const { src_endpoint: _omit, ...noSource } = r;
    expect(validateOcsf(noSource)).toBe(false);
    expect(validateOcsf({ ...r, class_uid: 6002 })).toBe(false);
    expect(validateOcsf({ ...r, actor: {} })).toBe(false);
  });
});

describe('a request closed by RequestOutcomeUnknown (its gateway stopped before recording how it ended)', () => {
  it('is exported, not left out: a Panic-stage audit event and an OCSF record of unknown status, both schema-valid', () => {
    const [intercepted, decided, completed] = sampleRequestEvents({ requestId: 'r-u', sessionId: 's-1', verb: 'delete' });
    const unknown = {
      ...completed!,
      eventId: 'r-u-unknown',
      type: 'RequestOutcomeUnknown' as const,
      payload: { reason: 'no RequestCompleted 10 minutes after the decision', decisionEventId: decided!.eventId, reachedCluster: 'unknown' as const },
    };
    const state = initialJoinerState();
    join(state, intercepted!, { globalPosition: 1, stream: 'session-s-1', eventId: intercepted!.eventId, recordedAt: intercepted!.time });
    join(state, decided!, { globalPosition: 2, stream: 'session-s-1', eventId: decided!.eventId, recordedAt: decided!.time });
    const record = join(state, unknown, { globalPosition: 3, stream: 'session-s-1', eventId: unknown.eventId, recordedAt: unknown.time });
    expect(state.pending.size).toBe(0);

    const event = toAuditEvent(record!);
    expect(validateAudit(event)).toBe(true);
    expect(event).toMatchObject({ stage: 'Panic', verb: 'delete', responseStatus: { status: 'Failure', reason: 'OutcomeUnknown' } });
    expect(event.responseStatus).not.toHaveProperty('code');
    expect(event.annotations).toMatchObject({ [AuditAnnotations.outcome]: 'unknown', [AuditAnnotations.reachedCluster]: 'unknown', [AuditAnnotations.rule]: 'read-pods' });

    const r = toOcsfApiActivity(record!);
    if (!validateOcsf(r)) throw new Error(errors(validateOcsf));
    expect(r).toMatchObject({ activity_id: 4, status_id: 0, status: 'Unknown', unmapped: { chaperone: { outcome: 'unknown', reached_cluster: 'unknown' } } });
    expect(r).not.toHaveProperty('http_response');
  });
});
