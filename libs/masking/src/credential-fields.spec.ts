import {
  DEFAULT_PROFILE,
  LAST_APPLIED_ANNOTATION,
  MASK,
  STRICT_PROFILE,
  STRUCTURAL_ONLY_PROFILE,
  WatchStreamMasker,
  maskObject,
  type MaskingProfile,
} from './index';
import { databaseCR, databaseTable, PLANTED } from './testing/fixtures';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CR_SECRETS = [
  PLANTED.crPassword,
  PLANTED.crAdminToken,
  PLANTED.crApiKey,
  PLANTED.crSecretKey,
  PLANTED.crClientSecret,
  PLANTED.crUsername,
  PLANTED.crPrivateKey,
  PLANTED.crAnnotationToken,
];

function expectNoCrSecret(json: string): void {
  for (const s of CR_SECRETS) expect({ s, leaked: json.includes(s) }).toEqual({ s, leaked: false });
}

const PROFILES: [string, MaskingProfile][] = [
  ['default', DEFAULT_PROFILE],
  ['strict', STRICT_PROFILE],
  ['structural-only', STRUCTURAL_ONLY_PROFILE],
];

/** What a masked Database must look like: credentials masked, references and settings readable. */
function expectMaskedDatabase(v: J): void {
  const spec = v['spec'];
  expect(spec['database']).toEqual({
    host: 'pg.prod.svc',
    port: 5432,
    user: 'orders',
    password: MASK,
    passwordPolicy: 'strong',
    tokenExpirationSeconds: 3600,
    secretName: 'orders-db-tls',
    secretRef: { name: 'orders-db-creds' },
    connectionString: MASK,
  });
  expect(spec['backup']).toEqual({ s3: { bucket: 'orders-backup', accessKeyId: 'orders-backup-id', SECRET_KEY: MASK } });
  expect(spec['auth']).toEqual({ adminToken: MASK, 'api-key': MASK, clientSecret: MASK, enabled: true });
  expect(spec['credentials']).toEqual({ username: MASK, name: 'orders-admin' });
  expect(spec['tls']).toEqual({ privateKey: MASK, certificate: 'orders-db.crt' });
  expect(spec['imagePullSecrets']).toEqual(['regcred']);
  expect(v['metadata']['annotations']).toEqual({ 'db.example.com/api-token': MASK, 'db.example.com/owner': 'payments' });
  expect(v['status']).toEqual({ phase: 'Ready', observedGeneration: 3 });
}

describe.each(PROFILES)('credential-named fields of a custom resource (%s profile)', (_name, profile) => {
  it('get: masks every credential-named field at any depth and reports where', () => {
    const { value, report } = maskObject(databaseCR(), profile);
    expectMaskedDatabase(value as J);
    expectNoCrSecret(JSON.stringify(value));
    expect(report.detectors['credential-key']).toBe(9);
    expect(report.paths).toEqual(
      expect.arrayContaining([
        'metadata.annotations["db.example.com/api-token"]',
        'spec.database.password',
        'spec.database.connectionString',
        'spec.backup.s3.SECRET_KEY',
        'spec.auth.adminToken',
        'spec.auth.api-key',
        'spec.auth.clientSecret',
        'spec.credentials.username',
        'spec.tls.privateKey',
      ]),
    );
  });

  it('list: masks the items of a typed list', () => {
    const list = { apiVersion: 'db.example.com/v1', kind: 'DatabaseList', metadata: { resourceVersion: '9' }, items: [databaseCR('a'), databaseCR('b')] };
    const { value, report } = maskObject(list, profile);
    for (const item of (value as J)['items'] as J[]) expectMaskedDatabase(item);
    expectNoCrSecret(JSON.stringify(value));
    expect(report.paths).toContain('items[1].spec.database.password');
  });

  it('watch: masks each event of a watch on the custom resource', () => {
    const m = new WatchStreamMasker(profile);
    const stream = ['ADDED', 'MODIFIED'].map((type) => JSON.stringify({ type, object: databaseCR() }) + '\n').join('');
    const out = m.push(stream) + m.end();
    const lines = out.trimEnd().split('\n').map((l) => JSON.parse(l) as J);
    for (const e of lines) expectMaskedDatabase(e['object']);
    expectNoCrSecret(out);
    expect(m.report().paths).toContain('events[1].object.spec.database.password');
  });

  it('Table: masks the row objects and the cells of credential columns, keeps reference columns', () => {
    const { value, report } = maskObject(databaseTable('Object'), profile);
    const row = (value as J)['rows'][0];
    expect(row['cells']).toEqual(['orders-db', 'postgres', MASK, 'orders-db-tls', MASK, MASK, '5d']);
    expectMaskedDatabase(row['object']);
    expectNoCrSecret(JSON.stringify(value));
    expect(report.paths).toEqual(expect.arrayContaining(['rows[0].cells[2]', 'rows[0].cells[4]', 'rows[0].cells[5]']));
  });

  it('Table of a watch (kubectl get -w) with metadata-only rows', () => {
    const { value } = maskObject({ type: 'ADDED', object: databaseTable('Metadata') }, profile);
    const row = (value as J)['object']['rows'][0];
    expect(row['cells']).toEqual(['orders-db', 'postgres', MASK, 'orders-db-tls', MASK, MASK, '5d']);
    expectNoCrSecret(JSON.stringify(value));
  });

  it('the last-applied annotation of the custom resource (kubectl apply, then describe or get)', () => {
    const cr = databaseCR();
    (cr['metadata'] as J)['annotations'][LAST_APPLIED_ANNOTATION] = JSON.stringify(databaseCR()) + '\n';
    const { value, report } = maskObject(cr, profile);
    const applied = JSON.parse((value as J)['metadata']['annotations'][LAST_APPLIED_ANNOTATION]);
    expectMaskedDatabase(applied);
    expectNoCrSecret(JSON.stringify(value));
    expect(report.paths).toContain(`metadata.annotations["${LAST_APPLIED_ANNOTATION}"]#spec.database.password`);
  });
});

describe('credential-named fields: what is masked, what is not', () => {
  const mask = (v: unknown, profile: MaskingProfile = DEFAULT_PROFILE): J => maskObject(v, profile).value as J;

  it('masks nested string leaves of a credential-named object or array, keeping keys, numbers and booleans', () => {
    const v = mask({ kind: 'Widget', spec: { credentials: { user: 'u-1', port: 5432, tls: true, extra: { pin: 'p-1' }, list: ['a-1', 'b-1'] }, tokens: ['t-1', 't-2'] } });
    expect(v['spec']).toEqual({ credentials: { user: MASK, port: 5432, tls: true, extra: { pin: MASK }, list: [MASK, MASK] }, tokens: [MASK, MASK] });
  });

  it('keeps reference and setting leaves inside a credential-named object (a secret key selector, a key algorithm)', () => {
    const v = mask({
      kind: 'ServiceMonitor',
      spec: {
        endpoints: [
          {
            basicAuth: { username: { name: 'mon-auth', key: 'user' }, password: { name: 'mon-auth', key: 'pass', optional: false } },
            authorization: { type: 'Bearer', credentials: { name: 'mon-token', key: 'token' } },
          },
        ],
      },
    });
    expect(v['spec']['endpoints'][0]).toEqual({
      basicAuth: { username: { name: 'mon-auth', key: MASK }, password: { name: 'mon-auth', key: MASK, optional: false } },
      authorization: { type: 'Bearer', credentials: { name: 'mon-token', key: MASK } },
    });
    const cert = mask({ kind: 'Certificate', spec: { secretName: 'web-tls', privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always', encoding: 'PKCS8' } } });
    expect(cert['spec']).toEqual({ secretName: 'web-tls', privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always', encoding: 'PKCS8' } });
  });

  it('leaves the credential-looking fields of built-in kinds alone (references, projections, booleans)', () => {
    const podSpec = {
      serviceAccountName: 'orders',
      automountServiceAccountToken: true,
      imagePullSecrets: [{ name: 'regcred' }],
      volumes: [
        { name: 'tls', secret: { secretName: 'web-tls', defaultMode: 420, optional: false } },
        {
          name: 'kube-api-access',
          projected: {
            sources: [
              { serviceAccountToken: { audience: 'vault', expirationSeconds: 3607, path: 'token' } },
              { secret: { name: 'extra', items: [{ path: 'ca.crt', key: 'ca.crt' }] } },
            ],
          },
        },
        { name: 'pv', csi: { driver: 'x.csi.io', nodePublishSecretRef: { name: 'csi-creds' } } },
      ],
      containers: [{ name: 'app', image: 'a:1', envFrom: [{ secretRef: { name: 'app-env' } }], env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }],
    };
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', annotations: { 'kubernetes.io/enforce-mountable-secrets': 'true' } }, spec: podSpec };
    const out = mask(pod);
    // The one deliberate exception: a key name inside a credential-named object (here a projected
    // `secret` source) is masked too; see docs/masking.md.
    const expected = JSON.parse(JSON.stringify(pod)) as J;
    expected['spec']['volumes'][1]['projected']['sources'][1]['secret']['items'][0]['key'] = MASK;
    expect(out).toEqual(expected);

    const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'orders' }, secrets: [{ name: 'orders-token-x2x', namespace: 'prod', kind: 'Secret', uid: 'u-1' }], imagePullSecrets: [{ name: 'regcred' }] };
    expect(mask(sa)).toEqual(sa);
    const ing = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web' }, spec: { tls: [{ hosts: ['a.example.com'], secretName: 'web-tls' }] } };
    expect(mask(ing)).toEqual(ing);
    const csi = { apiVersion: 'storage.k8s.io/v1', kind: 'CSIDriver', metadata: { name: 'x' }, spec: { tokenRequests: [{ audience: 'vault', expirationSeconds: 600 }], requiresRepublish: true } };
    expect(mask(csi)).toEqual(csi);
  });

  it('masks the token of a TokenRequest and a TokenReview by their field names', () => {
    const tr = mask({ kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', spec: { audiences: ['api'] }, status: { token: 'opaque-sa-token-value', expirationTimestamp: '2030-01-01T00:00:00Z' } });
    expect(tr['status']).toEqual({ token: MASK, expirationTimestamp: '2030-01-01T00:00:00Z' });
    expect(tr['spec']).toEqual({ audiences: ['api'] });
  });

  it('does not mask empty values, masks already masked, or the strings "true"/"false"', () => {
    const { value, report } = maskObject({ kind: 'Widget', spec: { password: '', token: MASK, secret: 'true', auth: 'False' } }, DEFAULT_PROFILE);
    expect((value as J)['spec']).toEqual({ password: '', token: MASK, secret: 'true', auth: 'False' });
    expect(report.count).toBe(0);
  });

  it('leaves Secret data to the Secret rule (valid base64) and masks credential-named ConfigMap keys', () => {
    const s = mask({ kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data: { password: 'aHVudGVy' } });
    expect(s['data']['password']).toBe('KioqTUFTS0VEKioq');
    const cm = mask({ kind: 'ConfigMap', metadata: { name: 'c' }, data: { connectionString: 'Host=db;Database=x', LOG_LEVEL: 'info' } });
    expect(cm['data']).toEqual({ connectionString: MASK, LOG_LEVEL: 'info' });
  });

  it('applies no credential-key rule when structural rules are off', () => {
    const v = mask({ kind: 'Widget', spec: { password: 'plain-value' } }, { ...DEFAULT_PROFILE, structural: false });
    expect(v['spec']['password']).toBe('plain-value');
  });

  it('honours a profile allow-list', () => {
    const profile = { ...DEFAULT_PROFILE, credentialKeyAllowList: [...DEFAULT_PROFILE.credentialKeyAllowList, 'secretKey'] };
    const v = mask({ kind: 'ExternalSecret', spec: { data: [{ secretKey: 'password', remoteRef: { key: 'prod/db' } }] } }, profile);
    expect(v['spec']['data'][0]).toEqual({ secretKey: 'password', remoteRef: { key: 'prod/db' } });
    expect(mask({ kind: 'ExternalSecret', spec: { data: [{ secretKey: 'password' }] } })['spec']['data'][0]).toEqual({ secretKey: MASK });
  });
});
