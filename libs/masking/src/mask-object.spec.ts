import {
  DEFAULT_PROFILE,
  LAST_APPLIED_ANNOTATION,
  MASK,
  MASKED_BASE64,
  MaskingFailed,
  STRUCTURAL_ONLY_PROFILE,
  maskObject,
  type MaskingProfile,
} from './index';
import { configMap, cronJob, deployment, lastAppliedSecretJson, PLANTED, pod, secret, secretList, secretTable, watchEvent } from './testing/fixtures';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function masked(value: unknown, profile: MaskingProfile = DEFAULT_PROFILE): { v: J; json: string; report: ReturnType<typeof maskObject>['report'] } {
  const r = maskObject(value, profile);
  return { v: r.value as J, json: JSON.stringify(r.value), report: r.report };
}

function expectNoPlanted(json: string): void {
  for (const [name, value] of Object.entries(PLANTED)) {
    expect({ name, leaked: json.includes(value) }).toEqual({ name, leaked: false });
    expect({ name, leaked: json.includes(Buffer.from(value).toString('base64')) }).toEqual({ name, leaked: false });
  }
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('maskObject: Secrets', () => {
  it('replaces every data value with valid base64 and keeps the keys', () => {
    const { v, json, report } = masked(secret());
    expect(Object.keys(v['data'])).toEqual(['username', 'password', 'api.token', 'tls.key']);
    for (const value of Object.values(v['data'] as Record<string, string>)) {
      expect(value).toBe(MASKED_BASE64);
      expect(Buffer.from(value, 'base64').toString()).toBe(MASK);
    }
    expect(v['metadata']).toEqual(secret()['metadata']);
    expect(v['type']).toBe('Opaque');
    expectNoPlanted(json);
    expect(report).toEqual({
      count: 4,
      paths: ['data.username', 'data.password', 'data["api.token"]', 'data["tls.key"]'],
      detectors: { 'secret-data': 4 },
    });
  });

  it('masks stringData with the text marker', () => {
    const s = { ...secret(), stringData: { password: PLANTED.stringDataPassword, empty: '' } };
    const { v } = masked(s);
    expect(v['stringData']).toEqual({ password: MASK, empty: '' });
  });

  it('does not modify its input', () => {
    const s = secret();
    const copy = JSON.parse(JSON.stringify(s));
    masked(s);
    expect(s).toEqual(copy);
  });

  it('masks SecretList items even though they carry no kind', () => {
    const { v, json, report } = masked(secretList());
    expect((v['items'] as J[]).map((i) => i['data']['password'])).toEqual([MASKED_BASE64, MASKED_BASE64, MASKED_BASE64, MASKED_BASE64]);
    expect(report.paths).toContain('items[3].data.password');
    expect(report.detectors['secret-data']).toBe(16);
    expectNoPlanted(json);
  });

  it('masks Secrets inside a generic List', () => {
    const { v } = masked({ kind: 'List', apiVersion: 'v1', items: [configMap(), secret()] });
    expect(v['items'][1]['data']['password']).toBe(MASKED_BASE64);
    expect(v['items'][0]['data']['LOG_LEVEL']).toBe('debug');
  });

  it('treats a kind-less object with metadata, type and data as a Secret (fails closed)', () => {
    const s = secret();
    delete s['kind'];
    const { v } = masked({ items: [s] });
    expect(v['items'][0]['data']['password']).toBe(MASKED_BASE64);
  });

  it('masks a Table from `kubectl get secrets` with includeObject=Object', () => {
    const { v, json, report } = masked(secretTable());
    expect(v['rows'][0]['cells']).toEqual(['db-credentials', 'Opaque', 4, '10d']);
    expect(v['rows'][0]['object']['data']['password']).toBe(MASKED_BASE64);
    const applied = JSON.parse(v['rows'][1]['object']['metadata']['annotations'][LAST_APPLIED_ANNOTATION]);
    expect(applied.stringData).toEqual({ password: MASK });
    expect(applied.data).toEqual({ token: MASKED_BASE64 });
    expectNoPlanted(json);
    expect(report.paths).toContain(`rows[1].object.metadata.annotations["${LAST_APPLIED_ANNOTATION}"]#stringData.password`);
  });

  it('masks a watch event and a Table watch event', () => {
    const e = masked(watchEvent());
    expect(e.v['type']).toBe('MODIFIED');
    expect(e.v['object']['data']['password']).toBe(MASKED_BASE64);
    expect(e.report.paths).toContain('object.data.password');
    const t = masked({ type: 'ADDED', object: secretTable() });
    expect(t.v['object']['rows'][0]['object']['data']['password']).toBe(MASKED_BASE64);
    expectNoPlanted(e.json + t.json);
  });

  it('scrubs malformed Secret data (non-object) but keeps its shape', () => {
    const { v } = masked({ kind: 'Secret', data: ['c2VjcmV0', 42, true, null] });
    expect(v['data']).toEqual([MASKED_BASE64, 0, true, null]);
  });
});

describe('maskObject: last-applied-configuration on any object', () => {
  it('masks the Secret held in the annotation and re-serialises it with the trailing newline', () => {
    const s = secret();
    (s['metadata'] as J)['annotations'][LAST_APPLIED_ANNOTATION] = lastAppliedSecretJson();
    const { v, json } = masked(s);
    const text: string = v['metadata']['annotations'][LAST_APPLIED_ANNOTATION];
    expect(text.endsWith('\n')).toBe(true);
    expect(JSON.parse(text)).toMatchObject({ kind: 'Secret', stringData: { password: MASK }, data: { token: MASKED_BASE64 } });
    expectNoPlanted(json);
  });

  it('masks env passwords in a Deployment annotation', () => {
    const { v } = masked(deployment());
    const applied = JSON.parse(v['metadata']['annotations'][LAST_APPLIED_ANNOTATION]);
    expect(applied.spec.template.spec.containers[0].env[0]).toEqual({ name: 'DB_PASSWORD', value: MASK });
  });

  it('replaces an annotation that is not JSON entirely', () => {
    const { v, report } = masked({ kind: 'ConfigMap', metadata: { annotations: { [LAST_APPLIED_ANNOTATION]: '{"kind":"Secret","data":{"p":"aHVudGVy' } } });
    expect(v['metadata']['annotations'][LAST_APPLIED_ANNOTATION]).toBe(MASK);
    expect(report.detectors['last-applied-configuration']).toBe(1);
  });

  it('keeps an annotation with nothing to mask byte for byte', () => {
    const original = '{"apiVersion":"v1","kind":"Service","metadata":{"name":"x"},"spec":{"ports":[{"port":80}]}}\n';
    const { v, report } = masked({ kind: 'Service', metadata: { annotations: { [LAST_APPLIED_ANNOTATION]: original } } });
    expect(v['metadata']['annotations'][LAST_APPLIED_ANNOTATION]).toBe(original);
    expect(report.count).toBe(0);
  });
});

describe('maskObject: ConfigMaps', () => {
  it('masks data/binaryData values with secret-named keys and scans the rest', () => {
    const { v, json, report } = masked(configMap());
    expect(v['data']['LOG_LEVEL']).toBe('debug');
    expect(v['data']['upstream.token']).toBe(MASK);
    expect(v['data']['application.properties']).toBe(`server.port=8080\nspring.datasource.password=${MASK}\n`);
    expect(v['binaryData']).toEqual({ 'signing.key': MASKED_BASE64, 'logo.png': 'iVBORw0KGgo=' });
    expectNoPlanted(json);
    expect(report.detectors).toEqual({ 'configmap-key': 2, 'secret-assignment': 1 });
  });

  it('honours the profile key patterns', () => {
    const profile = { ...DEFAULT_PROFILE, configMapKeyPatterns: [/^LOG_/] };
    expect(masked(configMap(), profile).v['data']['LOG_LEVEL']).toBe(MASK);
  });
});

describe('maskObject: pod specs', () => {
  it('masks secret-named env values and --flag=value args in a Deployment template', () => {
    const { v, json } = masked(deployment());
    const spec = v['spec']['template']['spec'];
    expect(spec['containers'][0]['env']).toEqual([
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'DB_PASSWORD', value: MASK },
      { name: 'DB_HOST', value: 'postgres.prod.svc' },
      { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'api.token' } } },
    ]);
    expect(spec['initContainers'][0]['args']).toEqual(['migrate', `--db-password=${MASK}`]);
    expectNoPlanted(json);
  });

  it('masks --password=x and the two-argument --token x form in a Pod, and ephemeral container env', () => {
    const { v, json, report } = masked(pod());
    expect(v['spec']['containers'][0]['args']).toEqual(['--listen=:8080', `--password=${MASK}`, '--token', MASK, '--verbose']);
    expect(v['spec']['containers'][0]['command']).toEqual(['/app/server']);
    expect(v['spec']['ephemeralContainers'][0]['env'][0]).toEqual({ name: 'AUTH_SECRET', value: MASK });
    expect(report.paths).toEqual(['spec.containers[0].args[1]', 'spec.containers[0].args[3]', 'spec.ephemeralContainers[0].env[0].value']);
    expect(report.detectors).toEqual({ 'command-flag': 2, 'env-value': 1 });
    expectNoPlanted(json);
  });

  it('fails closed on a secret flag followed by another flag: both following elements are masked', () => {
    const { v } = masked({ kind: 'Pod', spec: { containers: [{ name: 'c', args: ['--auth', '--token', 'abc123456'] }] } });
    expect(v['spec']['containers'][0]['args']).toEqual(['--auth', MASK, MASK]);
  });

  it('masks a CronJob job template, including a password inside a shell command', () => {
    const { v, json } = masked(cronJob());
    const c = v['spec']['jobTemplate']['spec']['template']['spec']['containers'][0];
    expect(c['env'][0]).toEqual({ name: 'S3_SECRET_KEY', value: MASK });
    expect(c['command']).toEqual(['sh', '-c', `pg_dump --password ${MASK} orders | gzip`]);
    expectNoPlanted(json);
  });

  it.each(['StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'ReplicationController'])('masks the pod template of a %s', (kind) => {
    const d = deployment();
    d['kind'] = kind;
    const { v, json } = masked(d);
    expect(v['spec']['template']['spec']['containers'][0]['env'][1]).toEqual({ name: 'DB_PASSWORD', value: MASK });
    expectNoPlanted(json);
  });

  it('masks pods in a PodList without kinds', () => {
    const p = pod();
    delete p['kind'];
    const { json } = masked({ kind: 'PodList', apiVersion: 'v1', items: [p] });
    expectNoPlanted(json);
  });
});

describe('maskObject: content detectors on every string', () => {
  it('masks tokens in annotations, labels, messages and status', () => {
    const { v, report } = masked({
      kind: 'Event',
      metadata: { name: 'e', annotations: { note: `push with ${PLANTED.githubToken}` } },
      message: `Back-off pulling image: Authorization: Bearer ${PLANTED.jwt}`,
    });
    expect(v['metadata']['annotations']['note']).toBe(`push with ${MASK}`);
    expect(v['message']).toBe(`Back-off pulling image: Authorization: Bearer ${MASK}`);
    expect(report.paths).toEqual(['metadata.annotations.note', 'message']);
  });

  it('masks a PEM key held in a ConfigMap value', () => {
    const { v } = masked({ kind: 'ConfigMap', data: { 'ca-bundle': `-----BEGIN PRIVATE KEY-----\n${PLANTED.pemBody1}\n-----END PRIVATE KEY-----\n` } });
    expect(v['data']['ca-bundle']).toBe(`-----BEGIN PRIVATE KEY-----\n${MASK}\n-----END PRIVATE KEY-----\n`);
  });

  it('runs no content detector in the structural-only profile', () => {
    const { v } = masked({ kind: 'Event', message: `token ${PLANTED.githubToken}` }, STRUCTURAL_ONLY_PROFILE);
    expect(v['message']).toBe(`token ${PLANTED.githubToken}`);
    expect(masked(secret(), STRUCTURAL_ONLY_PROFILE).v['data']['password']).toBe(MASKED_BASE64);
  });

  it('applies no structural rule when structural is false', () => {
    const { v } = masked(secret(), { ...DEFAULT_PROFILE, structural: false });
    expect(v['data']['password']).toBe(b64(PLANTED.dbPassword));
  });

  it('masks a bare string, and passes numbers, booleans and null through', () => {
    expect(masked(`x ${PLANTED.githubToken}`).v).toBe(`x ${MASK}`);
    expect(masked(`x ${PLANTED.githubToken}`).report.paths).toEqual(['$']);
    expect(masked([1, true, null]).v).toEqual([1, true, null]);
  });

  it('keeps a "__proto__" key as an own property', () => {
    const input = JSON.parse('{"kind":"Secret","data":{"__proto__":"c2VjcmV0"}}');
    const { v, json } = masked(input);
    expect(Object.getPrototypeOf(v['data'])).toBe(Object.prototype);
    expect(json).toBe(`{"kind":"Secret","data":{"__proto__":"${MASKED_BASE64}"}}`);
  });
});

describe('maskObject: fails closed', () => {
  it('throws MaskingFailed on non-JSON values', () => {
    expect(() => maskObject({ a: new Map() }, DEFAULT_PROFILE)).toThrow(MaskingFailed);
    expect(() => maskObject({ a: () => 1 }, DEFAULT_PROFILE)).toThrow(MaskingFailed);
    expect(() => maskObject({ a: 1n }, DEFAULT_PROFILE)).toThrow(MaskingFailed);
  });

  it('throws MaskingFailed on cyclic or absurdly deep values', () => {
    const cyclic: J = { kind: 'ConfigMap' };
    cyclic['self'] = cyclic;
    expect(() => maskObject(cyclic, DEFAULT_PROFILE)).toThrow(MaskingFailed);
    let deep: unknown = 'x';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(() => maskObject(deep, DEFAULT_PROFILE)).toThrow(MaskingFailed);
  });

  it('rejects an invalid profile', () => {
    expect(() => maskObject({}, { ...DEFAULT_PROFILE, detectors: ['nope' as never] })).toThrow(MaskingFailed);
  });
});
