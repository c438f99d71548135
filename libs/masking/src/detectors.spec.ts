import { DEFAULT_PROFILE, MASK, STRICT_PROFILE, maskText, type DetectorName, type MaskingProfile } from './index';
import { PEM_KEY, PLANTED } from './testing/fixtures';

function only(d: DetectorName): MaskingProfile {
  return { ...DEFAULT_PROFILE, name: `only-${d}`, detectors: [d] };
}

/** [detector, input line, expected output, secret that must be gone] */
const CASES: [DetectorName, string, string, string][] = [
  ['jwt', `token=${PLANTED.jwt} end`, `token=${MASK} end`, PLANTED.jwt],
  ['github-token', `cloning with ${PLANTED.githubToken}`, `cloning with ${MASK}`, PLANTED.githubToken],
  ['github-token', 'pat github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv', `pat ${MASK}`, 'github_pat_11ABCDEFG0123456789'],
  ['github-token', 'gho_16C7e42F292c6912E7710c838347Ae178B4a,ghs_16C7e42F292c6912E7710c838347Ae178B4a', `${MASK},${MASK}`, '16C7e42F292c6912E7710c838347Ae178B4a'],
  ['gitlab-token', 'GITLAB glpat-xYz12345678901234567 ok', `GITLAB ${MASK} ok`, 'glpat-xYz12345678901234567'],
  ['slack-token', 'hook xoxb-123456789012-1234567890123-AbCdEfGhIjKl', `hook ${MASK}`, 'xoxb-123456789012'],
  ['aws-access-key-id', 'key AKIAIOSFODNN7EXAMPLE and ASIAY34FZKBOKMUTVV7A', `key ${MASK} and ${MASK}`, 'IOSFODNN7EXAMPLE'],
  [
    'aws-secret-access-key',
    'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    `aws_secret_access_key = ${MASK}`,
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  ],
  ['aws-secret-access-key', '"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"', `"SecretAccessKey": "${MASK}"`, 'wJalrXUtnFEMI'],
  ['authorization-header', 'Authorization: Basic dXNlcjpodW50ZXIy', `Authorization: Basic ${MASK}`, 'dXNlcjpodW50ZXIy'],
  ['authorization-header', 'curl -H "Authorization: token abc123def456"', `curl -H "Authorization: token ${MASK}"`, 'abc123def456'],
  ['authorization-header', 'proxy-authorization=opaque-credential-1', `proxy-authorization=${MASK}`, 'opaque-credential-1'],
  ['bearer-token', 'sent Bearer abc.DEF_ghi-123~+/= ok', `sent Bearer ${MASK} ok`, 'abc.DEF_ghi-123'],
  ['url-password', 'db=postgres://orders:S3cr3t!x@pg.prod:5432/orders', `db=postgres://orders:${MASK}@pg.prod:5432/orders`, 'S3cr3t!x'],
  ['url-password', 'redis://:r3dis-pass@redis:6379/0', `redis://:${MASK}@redis:6379/0`, 'r3dis-pass'],
  ['url-password', 'amqp://user:pa/ss+word@rabbit/', `amqp://user:${MASK}@rabbit/`, 'pa/ss+word'],
  [
    'connection-string-password',
    'Server=sql;Database=orders;User Id=sa;Password=my s3cret pass;Encrypt=true',
    `Server=sql;Database=orders;User Id=sa;Password=${MASK};Encrypt=true`,
    's3cret pass',
  ],
  ['connection-string-password', 'Host=pg;PWD=abc def', `Host=pg;PWD=${MASK}`, 'abc def'],
  ['secret-assignment', 'level=info user=bob password=hunter2x other=1', `level=info user=bob password=${MASK} other=1`, 'hunter2x'],
  ['secret-assignment', '{"user":"bob","client_secret":"s3cr3t-value","n":1}', `{"user":"bob","client_secret":"${MASK}","n":1}`, 's3cr3t-value'],
  ['secret-assignment', "export API_KEY='abc def ghi'", `export API_KEY='${MASK}'`, 'abc def ghi'],
  ['secret-assignment', 'db.password: letmein99', `db.password: ${MASK}`, 'letmein99'],
  ['secret-assignment', 'mysql --password hunter2x -h db', `mysql --password ${MASK} -h db`, 'hunter2x'],
  ['secret-assignment', 'GET /cb?code=1&access_token=abcdef123&state=x', `GET /cb?code=1&access_token=${MASK}&state=x`, 'abcdef123'],
  ['secret-assignment', 'ENCRYPTION_KEY=0123456789abcdef', `ENCRYPTION_KEY=${MASK}`, '0123456789abcdef'],
  ['secret-assignment', 'note x=password=abc12345', `note x=password=${MASK}`, 'abc12345'],
  ['email', 'mail sent to jane.doe+k8s@example.co.uk today', `mail sent to ${MASK} today`, 'jane.doe+k8s@example.co.uk'],
  ['card-number', 'card 4111 1111 1111 1111 charged', `card ${MASK} charged`, '4111 1111 1111 1111'],
  ['card-number', 'card 5500-0000-0000-0004', `card ${MASK}`, '5500-0000-0000-0004'],
];

describe('content detectors', () => {
  it.each(CASES)('%s masks %j', (detector, input, expected, secret) => {
    const r = maskText(input, only(detector));
    expect(r.text).toBe(expected);
    expect(r.text).not.toContain(secret);
    expect(r.report.detectors[detector]).toBeGreaterThanOrEqual(1);
    expect(r.report.paths).toEqual(['text:line 1']);
    expect(JSON.stringify(r.report)).not.toContain(secret);
    // The full default/strict profile masks it too (whichever detector gets there first).
    expect(maskText(input, STRICT_PROFILE).text).not.toContain(secret);
  });

  it('masks a PEM private key block, keeping the BEGIN/END markers', () => {
    const r = maskText(`before\n${PEM_KEY}\nafter`, only('pem-private-key'));
    expect(r.text).toBe(
      ['before', '-----BEGIN RSA PRIVATE KEY-----', MASK, MASK, MASK, '-----END RSA PRIVATE KEY-----', 'after'].join('\n'),
    );
    expect(r.report).toEqual({ count: 1, paths: ['text:line 3'], detectors: { 'pem-private-key': 1 } });
  });

  it.each([
    'EC PRIVATE KEY',
    'PRIVATE KEY',
    'ENCRYPTED PRIVATE KEY',
    'OPENSSH PRIVATE KEY',
    'DSA PRIVATE KEY',
    'PGP PRIVATE KEY BLOCK',
  ])('masks a %s block', (label) => {
    const text = `-----BEGIN ${label}-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END ${label}-----`;
    expect(maskText(text, DEFAULT_PROFILE).text).toBe(`-----BEGIN ${label}-----\n${MASK}\n-----END ${label}-----`);
  });

  it('masks a PEM key written on one line with escaped newlines (JSON logs)', () => {
    const line = `{"msg":"key","pem":"-----BEGIN PRIVATE KEY-----\\n${PLANTED.pemBody1}\\n-----END PRIVATE KEY-----\\n","lvl":"info"}`;
    const r = maskText(line, DEFAULT_PROFILE);
    expect(r.text).toBe(`{"msg":"key","pem":"-----BEGIN PRIVATE KEY-----${MASK}-----END PRIVATE KEY-----\\n","lvl":"info"}`);
  });

  it('fails closed on an unterminated PEM block: every following line is masked', () => {
    const r = maskText(`-----BEGIN PRIVATE KEY-----\n${PLANTED.pemBody1}\nlog line one\nlog line two`, DEFAULT_PROFILE);
    expect(r.text).toBe(`-----BEGIN PRIVATE KEY-----\n${MASK}\n${MASK}\n${MASK}`);
  });

  it('does not treat a certificate or public key as secret', () => {
    const cert = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ\n-----END CERTIFICATE-----';
    expect(maskText(cert, DEFAULT_PROFILE).text).toBe(cert);
  });

  it('keeps ordinary log lines and Kubernetes text unchanged', () => {
    const benign = [
      'I0501 10:00:00.000000       1 controller.go:123] synced deployment prod/orders in 12ms',
      'GET /api/v1/namespaces/prod/pods?limit=500 200 OK',
      'time: 12:00 user=bob replicas=3',
      'https://example.com:8443/path?q=1',
      '{"level":"info","auth":true,"token":null,"count":3}',
      'the secret is rotated every 30 days',
      'Authorization failed',
      'id 1234567890123 is not a card',
    ].join('\n');
    const r = maskText(benign, STRICT_PROFILE);
    expect(r.text).toBe(benign);
    expect(r.report.count).toBe(0);
  });

  it('leaves PII alone in the default profile and masks it in strict', () => {
    const line = 'user jane@example.com paid with 4111-1111-1111-1111';
    expect(maskText(line, DEFAULT_PROFILE).text).toBe(line);
    expect(maskText(line, STRICT_PROFILE).text).toBe(`user ${MASK} paid with ${MASK}`);
  });

  it('only masks card numbers that pass the Luhn check', () => {
    expect(maskText('4111 1111 1111 1112', STRICT_PROFILE).text).toBe('4111 1111 1111 1112');
    expect(maskText('4111 1111 1111 1111', STRICT_PROFILE).text).toBe(MASK);
  });

  it('is idempotent: masking masked text changes nothing and counts nothing', () => {
    const text = CASES.map((c) => c[1]).join('\n') + '\n' + PEM_KEY;
    const once = maskText(text, STRICT_PROFILE);
    const twice = maskText(once.text, STRICT_PROFILE);
    expect(twice.text).toBe(once.text);
    expect(twice.report.count).toBe(0);
  });

  it('keeps a trailing carriage return (CRLF logs)', () => {
    expect(maskText('password=abc12345\r\nok\r\n', DEFAULT_PROFILE).text).toBe(`password=${MASK}\r\nok\r\n`);
  });

  it('counts one hit per match and reports line numbers', () => {
    const r = maskText(`ok\ntoken=a1 and password=b2\nok\n${PLANTED.githubToken}`, DEFAULT_PROFILE);
    expect(r.report).toEqual({
      count: 3,
      paths: ['text:line 2', 'text:line 4'],
      detectors: { 'secret-assignment': 2, 'github-token': 1 },
    });
  });

  it('structural-only and empty detector lists leave text untouched', () => {
    const t = `password=abc ${PLANTED.githubToken}`;
    expect(maskText(t, { ...DEFAULT_PROFILE, detectors: [] }).text).toBe(t);
  });
});
