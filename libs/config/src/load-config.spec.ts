import { ConfigError, describeConfig, loadConfig } from './load-config';
import { setting } from './settings';

const spec = {
  port: setting.port('CHAPERONE_TEST_PORT', '8443'),
  timeoutMs: setting.int('CHAPERONE_TEST_TIMEOUT_MS', 'milliseconds, 1-60000', '2000', 1, 60000),
  servers: setting.list('CHAPERONE_TEST_SERVERS', 'comma-separated NATS URLs', 'nats://127.0.0.1:4222'),
  tls: setting.bool('CHAPERONE_TEST_TLS', 'true or false', 'false'),
  token: setting.optional('CHAPERONE_TEST_TOKEN', 'a bearer token', { secret: true }),
  mode: setting.oneOf('CHAPERONE_TEST_MODE', ['hold', 'ticket'] as const, 'hold'),
};

describe('loadConfig', () => {
  it('given nothing set, when loaded, then defaults apply', () => {
    expect(loadConfig(spec, {})).toEqual({
      port: 8443,
      timeoutMs: 2000,
      servers: ['nats://127.0.0.1:4222'],
      tls: false,
      token: undefined,
      mode: 'hold',
    });
  });

  it('given values, when loaded, then they are parsed to their types', () => {
    const cfg = loadConfig(spec, {
      CHAPERONE_TEST_PORT: '0',
      CHAPERONE_TEST_SERVERS: 'nats://a:1, nats://b:2',
      CHAPERONE_TEST_TLS: 'TRUE',
      CHAPERONE_TEST_TOKEN: 's3cr3t',
      CHAPERONE_TEST_MODE: 'ticket',
    });
    expect(cfg).toMatchObject({ port: 0, servers: ['nats://a:1', 'nats://b:2'], tls: true, token: 's3cr3t', mode: 'ticket' });
  });

  it('given several bad values, when loaded, then every one is named with its expected form', () => {
    let err: unknown;
    try {
      loadConfig(spec, { CHAPERONE_TEST_PORT: 'eighty', CHAPERONE_TEST_TIMEOUT_MS: '0', CHAPERONE_TEST_MODE: 'later' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^CHAPERONE_TEST_PORT: "eighty" is not valid: not a whole number \(expected a TCP port/);
    expect(problems[1]).toMatch(/CHAPERONE_TEST_TIMEOUT_MS: "0" is not valid: must be at least 1/);
    expect(problems[2]).toMatch(/CHAPERONE_TEST_MODE: "later"/);
  });

  it('never echoes a secret value', () => {
    const secretSpec = { key: { ...setting.int('CHAPERONE_TEST_SECRET_NUM', 'a number', undefined, 0, 9), secret: true } };
    expect(() => loadConfig(secretSpec, { CHAPERONE_TEST_SECRET_NUM: 'hunter2' })).toThrow(/\(value hidden\)/);
    try {
      loadConfig(secretSpec, { CHAPERONE_TEST_SECRET_NUM: 'hunter2' });
    } catch (e) {
      expect(String(e)).not.toContain('hunter2');
    }
  });

  it('reports a required key that is missing', () => {
    const required = { issuer: setting.string('CHAPERONE_TEST_ISSUER', 'an issuer URL') };
    expect(() => loadConfig(required, {})).toThrow('CHAPERONE_TEST_ISSUER: is required (expected an issuer URL)');
  });

  it('describes a spec as a markdown table', () => {
    expect(describeConfig({ port: spec.port })).toContain('| `CHAPERONE_TEST_PORT` | a TCP port number 0-65535 (0 picks a free port) | `8443` |');
  });
  it('describes a machine-dependent default in words, an optional key as unset and a missing default as required', () => {
    const table = describeConfig({
      workers: { ...setting.int('CHAPERONE_TEST_WORKERS', 'threads, a|b', '7', 0, 64), shownDefault: 'one per core' },
      token: spec.token,
      issuer: setting.string('CHAPERONE_TEST_ISSUER', 'an issuer URL'),
    });
    expect(table).toContain('| `CHAPERONE_TEST_WORKERS` | threads, a\\|b | one per core |');
    expect(table).toContain('| `CHAPERONE_TEST_TOKEN` | a bearer token | (unset) |');
    expect(table).toContain('| `CHAPERONE_TEST_ISSUER` | an issuer URL | (required) |');
  });
});
