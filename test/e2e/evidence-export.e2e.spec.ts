import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import type { RecordedEvent } from '@chaperone/event-store';
// The schema fixtures the exporter's own tests use: the field lists of the upstream references.
// eslint-disable-next-line @nx/enforce-module-boundaries
import auditSchema from '../../services/exporter/src/fixtures/audit-k8s-io-v1-event.schema.json';
// eslint-disable-next-line @nx/enforce-module-boundaries
import ocsfSchema from '../../services/exporter/src/fixtures/ocsf-1.6.0-api-activity.schema.json';
import { policyWith } from './support/policies';
import { E2EStack } from './support/e2e-stack';
import { eventually as pollUntil } from './support/eventually';

/**
 * A kubectl session through Chaperone, exported by the exporter service (its own process) as
 * Kubernetes audit events and OCSF API Activity records, both checked against the schema fixtures.
 */
const POLICY = policyWith(`
  - name: read-pods
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["get", "list", "watch"]
    apiGroups: [""]
    resources: ["pods"]
`);

interface AuditEvent {
  auditID: string;
  verb: string;
  requestURI: string;
  user: { username: string };
  impersonatedUser?: { username: string };
  objectRef?: { resource?: string; namespace?: string };
  responseStatus: { code: number };
  annotations: Record<string, string>;
}

const eventually = <T>(fn: () => Promise<T> | T, ok: (v: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> =>
  pollUntil(fn, ok, what, timeoutMs);

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown) : []);

describe('a kubectl session exported as audit.k8s.io/v1 events and OCSF 6003 records', () => {
  const s = new E2EStack();
  const auditFile = join(s.dir, 'audit.jsonl');
  const ocsfFile = join(s.dir, 'ocsf.jsonl');
  beforeAll(() => s.start(POLICY, { env: { CHAPERONE_EXPORT_SINKS: `audit=k8s-audit:file:${auditFile},lake=ocsf:file:${ocsfFile}`, CHAPERONE_EXPORT_POLL_MS: '100' } }), 90_000);
  afterAll(async () => {
    await s.stopService('exporter');
    await (await s.nc.jetstreamManager()).streams.delete(`KV_${s.subjects.exporterCheckpointBucket}`).catch(() => false);
    await s.stop();
  });

  it('every completed request becomes one schema-valid record in each format, with the agent, the impersonated user and the decision', async () => {
    const kubeconfig = s.kubeconfig(await s.agentToken('export-bot'));
    expect((await s.kubectl(kubeconfig, ['get', 'pods', '-n', 'default'])).code).toBe(0);
    const denied = await s.kubectl(kubeconfig, ['get', 'secrets', '-n', 'default']);
    expect(denied.code).not.toBe(0);

    // Everything the session produced is stored before the exporter starts: it catches up from zero.
    const completed = await eventually(
      async () => (await s.evidence()).filter((e: RecordedEvent) => e.type === 'RequestCompleted'),
      (c) => c.length >= 2 && c.length === s.events.filter((e) => e.type === 'RequestCompleted').length,
      'every completion stored',
    );
    await s.startService('exporter');
    const audit = (await eventually(() => lines(auditFile), (l) => l.length >= completed.length, 'the audit events')) as AuditEvent[];
    const ocsf = (await eventually(() => lines(ocsfFile), (l) => l.length >= completed.length, 'the OCSF records')) as Array<Record<string, unknown>>;
    expect(audit).toHaveLength(completed.length);
    expect(ocsf).toHaveLength(completed.length);

    const ajv = new Ajv({ allErrors: true, strict: false });
    const validAudit = ajv.compile(auditSchema);
    const validOcsf = ajv.compile(ocsfSchema);
    for (const e of audit) expect({ id: e.auditID, valid: validAudit(e), errors: validAudit.errors ?? null }).toEqual({ id: e.auditID, valid: true, errors: null });
    for (const r of ocsf) expect({ valid: validOcsf(r), errors: validOcsf.errors ?? null }).toEqual({ valid: true, errors: null });
    expect(new Set(audit.map((e) => e.auditID))).toEqual(new Set(completed.map((e) => (e.data as { requestId: string }).requestId)));

    const identity = s.events.find((e) => e.identity)?.identity;
    const pods = audit.find((e) => e.objectRef?.resource === 'pods' && e.verb === 'list');
    expect(pods).toMatchObject({
      user: { username: 'export-bot' },
      impersonatedUser: { username: identity?.username },
      objectRef: { resource: 'pods', namespace: 'default' },
      responseStatus: { code: 200 },
      annotations: { 'chaperone.io/decision': 'allow', 'chaperone.io/rule': 'read-pods', 'authorization.k8s.io/decision': 'allow' },
    });
    expect(pods?.annotations['chaperone.io/policy-version']).toMatch(/^sha256:/);
    const secrets = audit.find((e) => e.objectRef?.resource === 'secrets');
    expect(secrets).toMatchObject({
      verb: 'list',
      responseStatus: { code: 403 },
      annotations: { 'chaperone.io/decision': 'deny', 'chaperone.io/rule': 'default-deny', 'authorization.k8s.io/decision': 'forbid', 'chaperone.io/outcome': 'refused' },
    });
    const lake = ocsf.find((r) => (r['api'] as { request: { uid: string } }).request.uid === secrets?.auditID);
    expect(lake).toMatchObject({ class_uid: 6003, activity_id: 2, status_id: 2, actor: { user: { name: 'export-bot' } }, unmapped: { chaperone: { decision: 'deny' } } });
  });
});
