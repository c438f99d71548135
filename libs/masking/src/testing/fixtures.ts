/**
 * Realistic Kubernetes payloads for the masking tests. Every secret planted here is listed in
 * PLANTED so tests can assert that none survives masking.
 */
import { LAST_APPLIED_ANNOTATION } from '../constants';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

export const PLANTED = {
  dbPassword: 'hunter2-Sup3rS3cret',
  apiToken: 'tok_9f8e7d6c5b4a39281706',
  stringDataPassword: 'plain-Text-Pa55word',
  envPassword: 'env-P4ssw0rd-value',
  argPassword: 'hunter2hunter2',
  argToken: 'argTok3n-abcdef123',
  cronSecret: 'cron-Secr3t-value-42',
  configMapToken: 'cm-t0ken-ABCDEFGH',
  githubToken: 'ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8',
  jwt: 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwic3ViIjoic3lzdGVtOnNlcnZpY2VhY2NvdW50OmRlZmF1bHQ6ZGVmYXVsdCJ9.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU',
  pemBody1: 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
  pemBody2: 'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK',
  // Held in credential-named fields of a custom resource; no content detector recognises them.
  crPassword: 'Cr-Db-Pa55-7781-plain',
  crAdminToken: 'adm1n-T0k-99x-opaque',
  crApiKey: 'k3y-A9-zz-71-opaque',
  crSecretKey: 'S3-sEcr3t-k3y-0042x',
  crClientSecret: 'cl1ent-S-ecret-5501q',
  crUsername: 'orders-Admin-42user',
  crPrivateKey: 'MC4CAQAwBQYDK2VwBCIEIJ7cr-not-pem',
  crAnnotationToken: 'ann-T0ken-Value-77a',
} as const;

export const PEM_KEY = [
  '-----BEGIN RSA PRIVATE KEY-----',
  PLANTED.pemBody1,
  PLANTED.pemBody2,
  'LlRDdTR4a2tlZXktZmFrZS1rZXktbWF0ZXJpYWw=',
  '-----END RSA PRIVATE KEY-----',
].join('\n');

export function secret(name = 'db-credentials'): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace: 'prod',
      uid: '5f0c9a4e-3b2d-4c1e-9f8a-7b6c5d4e3f2a',
      resourceVersion: '81234',
      creationTimestamp: '2024-05-01T10:00:00Z',
      labels: { app: 'orders' },
      annotations: { 'team.example.com/owner': 'payments' },
    },
    type: 'Opaque',
    data: {
      username: b64('orders'),
      password: b64(PLANTED.dbPassword),
      'api.token': b64(PLANTED.apiToken),
      'tls.key': b64(PEM_KEY),
    },
  };
}

/** What the API server returns for GET /api/v1/namespaces/prod/secrets: items carry no kind. */
export function secretList(): Record<string, unknown> {
  const item = (n: string): Record<string, unknown> => {
    const s = secret(n);
    delete s['kind'];
    delete s['apiVersion'];
    return s;
  };
  return { kind: 'SecretList', apiVersion: 'v1', metadata: { resourceVersion: '81240' }, items: [item('a'), item('b'), item('c'), item('d')] };
}

/** `kubectl get secrets` asks for a Table; with includeObject=Object each row holds the full Secret. */
export function secretTable(): Record<string, unknown> {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: '81240' },
    columnDefinitions: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique', priority: 0 },
      { name: 'Type', type: 'string', format: '', description: 'Used to facilitate programmatic handling', priority: 0 },
      { name: 'Data', type: 'string', format: '', description: 'Number of keys', priority: 0 },
      { name: 'Age', type: 'string', format: '', description: 'CreationTimestamp', priority: 0 },
    ],
    rows: [
      { cells: ['db-credentials', 'Opaque', 4, '10d'], object: secret() },
      {
        cells: ['applied', 'Opaque', 1, '2d'],
        object: {
          kind: 'PartialObjectMetadata',
          apiVersion: 'meta.k8s.io/v1',
          metadata: { name: 'applied', namespace: 'prod', annotations: { [LAST_APPLIED_ANNOTATION]: lastAppliedSecretJson() } },
        },
      },
    ],
  };
}

export function lastAppliedSecretJson(): string {
  return (
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { annotations: {}, name: 'applied', namespace: 'prod' },
      stringData: { password: PLANTED.stringDataPassword },
      data: { token: b64(PLANTED.apiToken) },
      type: 'Opaque',
    }) + '\n'
  );
}

export function watchEvent(type = 'MODIFIED'): Record<string, unknown> {
  return { type, object: secret() };
}

export function deployment(): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'orders',
      namespace: 'prod',
      annotations: {
        'deployment.kubernetes.io/revision': '3',
        [LAST_APPLIED_ANNOTATION]:
          JSON.stringify({
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'orders', namespace: 'prod' },
            spec: {
              template: {
                spec: { containers: [{ name: 'app', image: 'orders:1.4', env: [{ name: 'DB_PASSWORD', value: PLANTED.envPassword }] }] },
              },
            },
          }) + '\n',
      },
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'orders' } },
      template: {
        metadata: { labels: { app: 'orders' } },
        spec: {
          initContainers: [{ name: 'migrate', image: 'orders:1.4', args: ['migrate', `--db-password=${PLANTED.argPassword}`] }],
          containers: [
            {
              name: 'app',
              image: 'orders:1.4',
              env: [
                { name: 'LOG_LEVEL', value: 'info' },
                { name: 'DB_PASSWORD', value: PLANTED.envPassword },
                { name: 'DB_HOST', value: 'postgres.prod.svc' },
                { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'api.token' } } },
              ],
              ports: [{ name: 'http', containerPort: 8080 }],
            },
          ],
        },
      },
    },
    status: { replicas: 2, readyReplicas: 2 },
  };
}

export function pod(): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'orders-7d9c-abcde', namespace: 'prod' },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'orders:1.4',
          command: ['/app/server'],
          args: ['--listen=:8080', `--password=${PLANTED.argPassword}`, '--token', PLANTED.argToken, '--verbose'],
        },
      ],
      ephemeralContainers: [{ name: 'debugger', image: 'busybox', env: [{ name: 'AUTH_SECRET', value: PLANTED.envPassword }] }],
    },
  };
}

export function cronJob(): Record<string, unknown> {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'backup', namespace: 'prod' },
    spec: {
      schedule: '0 3 * * *',
      jobTemplate: {
        spec: {
          template: {
            spec: {
              restartPolicy: 'OnFailure',
              containers: [
                {
                  name: 'backup',
                  image: 'backup:2',
                  env: [{ name: 'S3_SECRET_KEY', value: PLANTED.cronSecret }],
                  command: ['sh', '-c', `pg_dump --password ${PLANTED.cronSecret} orders | gzip`],
                },
              ],
            },
          },
        },
      },
    },
  };
}

export function configMap(): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'orders-config', namespace: 'prod' },
    data: {
      LOG_LEVEL: 'debug',
      'upstream.token': PLANTED.configMapToken,
      'application.properties': `server.port=8080\nspring.datasource.password=${PLANTED.dbPassword}\n`,
    },
    binaryData: { 'signing.key': b64(PLANTED.apiToken), 'logo.png': 'iVBORw0KGgo=' },
  };
}

/** A pods/log body with a GitHub token and a PEM private key. */
export function podLog(): string {
  return [
    '2024-05-01T10:00:00.000Z INFO starting orders v1.4',
    `2024-05-01T10:00:00.100Z DEBUG cloning with GITHUB_TOKEN ${PLANTED.githubToken}`,
    '2024-05-01T10:00:00.200Z INFO loaded signing key:',
    PEM_KEY,
    `2024-05-01T10:00:01.000Z DEBUG calling api with Authorization: Bearer ${PLANTED.jwt}`,
    '2024-05-01T10:00:02.000Z INFO ready',
    '',
  ].join('\n');
}

/**
 * An instance of a custom resource (a CRD the engine knows nothing about) with credentials in
 * credential-named fields at several depths, next to reference fields that must stay readable.
 */
export function databaseCR(name = 'orders-db'): Record<string, unknown> {
  return {
    apiVersion: 'db.example.com/v1',
    kind: 'Database',
    metadata: {
      name,
      namespace: 'prod',
      annotations: { 'db.example.com/api-token': PLANTED.crAnnotationToken, 'db.example.com/owner': 'payments' },
    },
    spec: {
      engine: 'postgres',
      replicas: 2,
      database: {
        host: 'pg.prod.svc',
        port: 5432,
        user: 'orders',
        password: PLANTED.crPassword,
        passwordPolicy: 'strong',
        tokenExpirationSeconds: 3600,
        secretName: 'orders-db-tls',
        secretRef: { name: 'orders-db-creds' },
        connectionString: 'Server=tcp:pg.prod.svc,5432;Database=orders;Integrated Security=true',
      },
      backup: { s3: { bucket: 'orders-backup', accessKeyId: 'orders-backup-id', SECRET_KEY: PLANTED.crSecretKey } },
      auth: { adminToken: PLANTED.crAdminToken, 'api-key': PLANTED.crApiKey, clientSecret: PLANTED.crClientSecret, enabled: true },
      credentials: { username: PLANTED.crUsername, name: 'orders-admin' },
      tls: { privateKey: PLANTED.crPrivateKey, certificate: 'orders-db.crt' },
      imagePullSecrets: ['regcred'],
    },
    status: { phase: 'Ready', observedGeneration: 3 },
  };
}

/**
 * `kubectl get databases` against a real API server: a Table whose CRD columns carry the
 * convertor's JSONPath description when the CRD gave none (`Secret` shows `.spec.database.secretName`,
 * a reference), and a column with a description of its own (judged by its name).
 */
export function databaseTable(includeObject: 'Object' | 'Metadata' = 'Object'): Record<string, unknown> {
  const crd = (path: string): string => `Custom resource definition column (in JSONPath format): ${path}`;
  const cr = databaseCR();
  const object =
    includeObject === 'Object' ? cr : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: cr['metadata'] };
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: '9120' },
    columnDefinitions: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
      { name: 'Engine', type: 'string', format: '', description: crd('.spec.engine'), priority: 0 },
      { name: 'Password', type: 'string', format: '', description: crd('.spec.database.password'), priority: 0 },
      { name: 'Secret', type: 'string', format: '', description: crd('.spec.database.secretName'), priority: 0 },
      { name: 'Admin Token', type: 'string', format: '', description: 'Token the operator uses to administer the database', priority: 1 },
      { name: 'Username', type: 'string', format: '', description: crd('.spec.credentials.username'), priority: 1 },
      { name: 'Age', type: 'date', format: '', description: crd('.metadata.creationTimestamp'), priority: 0 },
    ],
    rows: [
      {
        cells: ['orders-db', 'postgres', PLANTED.crPassword, 'orders-db-tls', PLANTED.crAdminToken, PLANTED.crUsername, '5d'],
        object,
      },
    ],
  };
}
