import { DEFAULT_PROFILE, MASK, maskCommandQuery } from './index';

const q = (...args: string[]): string => args.map((a) => `command=${encodeURIComponent(a)}`).join('&');
const commands = (query: string): string[] => new URLSearchParams(query).getAll('command');
const GH = 'ghp_0123456789abcdefghijABCDEFGHIJ0123';

describe('maskCommandQuery', () => {
  it('given an exec query without secrets, when masked, then it is returned byte for byte', () => {
    const query = `${q('ls', '-la', '/tmp')}&container=app&stdout=true&stderr=true`;
    const r = maskCommandQuery(query, DEFAULT_PROFILE);
    expect(r.query).toBe(query);
    expect(r.report.count).toBe(0);
  });

  it('given a query without any command parameter, then nothing is parsed or changed', () => {
    const query = 'follow=true&container=app&tailLines=10';
    expect(maskCommandQuery(query, DEFAULT_PROFILE).query).toBe(query);
  });

  it('given a token typed into `sh -c`, then the token is masked and the command shape is kept', () => {
    const r = maskCommandQuery(`${q('sh', '-c', `curl -H "Authorization: Bearer ${GH}" https://api`)}&stdout=true`, DEFAULT_PROFILE);
    expect(r.query).not.toContain(GH);
    expect(r.query).not.toContain(encodeURIComponent(GH));
    const argv = commands(r.query);
    expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
    expect(argv[2]).toContain('curl -H');
    expect(argv[2]).toContain(MASK);
    expect(r.query.endsWith('&stdout=true')).toBe(true);
    expect(r.report.count).toBeGreaterThan(0);
  });

  it('given secret-named flags, then `--flag=value` keeps the flag and `--flag value` loses the next argument', () => {
    const r = maskCommandQuery(q('mysql', '--password=s3cr3t-pw', '-u', 'root', '--token', 'tok-value-1', 'db'), DEFAULT_PROFILE);
    expect(commands(r.query)).toEqual(['mysql', `--password=${MASK}`, '-u', 'root', '--token', MASK, 'db']);
    expect(r.query).not.toContain('s3cr3t-pw');
    expect(r.query).not.toContain('tok-value-1');
  });

  it('given a secret-named assignment in a shell line, then its value is masked', () => {
    const r = maskCommandQuery(q('sh', '-c', 'DB_PASSWORD=hunter2-xyz ./migrate'), DEFAULT_PROFILE);
    expect(r.query).not.toContain('hunter2-xyz');
    expect(commands(r.query)[2]).toContain('./migrate');
  });

  it('decodes as the API server does: `+` is a space and a percent-encoded key still counts', () => {
    const r = maskCommandQuery(`%63ommand=sh&command=-c&command=echo+Bearer+${GH}`, DEFAULT_PROFILE);
    expect(r.query).not.toContain(GH);
    expect(commands(r.query)[2]).toBe(`echo Bearer ${MASK}`);
  });

  it('given a malformed escape, then the raw value is still scanned', () => {
    const r = maskCommandQuery(`command=%zz&command=${GH}`, DEFAULT_PROFILE);
    expect(r.query).not.toContain(GH);
    expect(r.query.startsWith('command=%zz&')).toBe(true);
  });
});
