import { DEFAULT_CREDENTIAL_KEY_ALLOW_LIST, credentialKeyMatcher, credentialColumns } from './credential-keys';

describe('credential key matcher', () => {
  const m = credentialKeyMatcher(DEFAULT_CREDENTIAL_KEY_ALLOW_LIST);

  it.each([
    'password', 'Password', 'PASSWORD', 'passwd', 'pwd', 'passphrase', 'secret', 'token', 'credentials', 'credential', 'creds',
    'auth', 'bearer', 'authorization', 'apiKey', 'api_key', 'api-key', 'APIKey', 'X-API-Key', 'apikey', 'accessKey', 'secretKey',
    'privateKey', 'clientSecret', 'connectionString', 'CONNECTION_STRING', 'connStr', 'dsn', 'DATABASE_DSN',
    'dbPassword', 'DB_PASSWORD', 'db-password', 'adminToken', 'MYSQL_ROOT_PASSWORD', 'mysqlrootpassword', 'rootpassword', 'DB_PASS',
    'password2', 'DB_PASSWORD_1', 'passwordValue', 'tokenValue', 'passwordHash', 'secretString', 'passwordBase64', 'token_b64',
    'secretAccessKey', 'AWS_SECRET_ACCESS_KEY', 'sasToken', 'refreshToken', 'sessionToken', 'bearerToken', 'basicAuth',
    'webhookSecret', 'signingKey', 'encryptionKey', 'accountKey', 'sshPrivateKey', 'client-key-data', 'clientKey', 'tlsKey',
    'example.com/api-token', 'f:password', 'secrets', 'tokens', 'passwords',
  ])('%s is credential-named', (key) => {
    expect(m.matches(key)).toBe(true);
  });

  it.each([
    'tokenExpirationSeconds', 'secretName', 'secretRef', 'secretKeyRef', 'passwordPolicy', 'serviceAccountToken',
    'automountServiceAccountToken', 'tokenRequests', 'imagePullSecrets', 'tokenAudiences', 'secretNamespace', 'credentialName',
    'passwordSecretRef', 'apiKeySecretRef', 'tokenUrl', 'authUrl', 'authMode', 'authType', 'authentication', 'accessKeyId',
    'clientId', 'key', 'keys', 'publicKey', 'sshPublicKey', 'keyRef', 'username', 'user', 'name', 'host', 'author', 'authority',
    'oauth', 'tokenizer', 'secretary', 'compass', 'bypass', 'passthrough', 'secretFile', 'tokenFile', 'passwordFile', 'tokenPath',
    'kubernetes.io/service-account.name', 'LOG_LEVEL', 'certificate-authority-data', 'client-certificate-data', 'monkey',
    'keyboard', 'MONKEY_COUNT', 'stringData', 'data', 'value', 'kind', '', 'nginx.ingress.kubernetes.io/auth-url',
  ])('%s is not credential-named', (key) => {
    expect(m.matches(key)).toBe(false);
  });

  it('takes allow-list entries in any spelling', () => {
    const custom = credentialKeyMatcher(['secret-key', 'ADMIN_TOKEN']);
    expect(custom.matches('secretKey')).toBe(false);
    expect(custom.matches('SECRET_KEY')).toBe(false);
    expect(custom.matches('adminToken')).toBe(false);
    expect(custom.matches('imagePullSecrets')).toBe(true); // not in this list
  });
});

describe('credential columns of a Table', () => {
  const m = credentialKeyMatcher(DEFAULT_CREDENTIAL_KEY_ALLOW_LIST);
  const crd = (name: string, path: string) => ({ name, description: `Custom resource definition column (in JSONPath format): ${path}` });

  it('judges a CRD column by the field its JSONPath shows, other columns by their name', () => {
    const cols = [
      { name: 'Name', description: 'Name must be unique' },
      crd('Password', '.spec.database.password'),
      crd('Secret', '.spec.secretName'),
      crd('User', '.spec.credentials.username'),
      crd('Ref', '.spec.credentials.name'),
      crd('Pass', ".spec['db']['password']"),
      crd('Shown', '.spec.items[0].token'),
      crd('Odd', '.spec.conditions[?(@.type=="Ready")].status'),
      crd('Odd Token', '.spec.x[?(@.a=="b")].c'),
      { name: 'DB Password', description: 'The password' },
      { name: 'Secrets', description: 'Number of secrets' },
      { name: 'Age', description: 'CreationTimestamp is a timestamp' },
    ];
    expect([...credentialColumns(cols, m)]).toEqual([1, 3, 5, 6, 8, 9, 10]);
  });

  it('ignores malformed column definitions', () => {
    expect([...credentialColumns('nope', m)]).toEqual([]);
    expect([...credentialColumns([null, 3, { name: 7 }, { name: 'Token' }], m)]).toEqual([3]);
  });
});
