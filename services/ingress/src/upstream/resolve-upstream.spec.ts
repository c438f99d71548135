import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent as HttpsAgent } from 'node:https';
import { StartupError } from '@chaperone/service-runtime';
import { resolveUpstream } from './resolve-upstream';

const dir = mkdtempSync(join(tmpdir(), 'upstream-'));
const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');

function kubeconfig(user: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const path = join(dir, `kc-${Math.random().toString(36).slice(2)}`);
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'prod',
      clusters: [
        { name: 'prod-cluster', cluster: { server: 'https://10.0.0.1:6443', 'certificate-authority-data': CA.toString('base64') } },
        { name: 'dev-cluster', cluster: { server: 'http://127.0.0.1:8080' } },
      ],
      users: [{ name: 'gateway', user }],
      contexts: [
        { name: 'prod', context: { cluster: 'prod-cluster', user: 'gateway' } },
        { name: 'dev', context: { cluster: 'dev-cluster', user: 'gateway' } },
      ],
      ...extra,
    }),
  );
  return path;
}

describe('resolveUpstream from a kubeconfig', () => {
  it('given a token user, then the current context’s server, CA and bearer token are used', () => {
    const up = resolveUpstream({ kind: 'kubeconfig', path: kubeconfig({ token: 'sa-token' }), context: undefined });
    expect(up.target.origin).toBe('https://10.0.0.1:6443');
    expect(up.authorization()).toBe('Bearer sa-token');
    expect(up.agent).toBeInstanceOf(HttpsAgent);
    expect((up.agent as HttpsAgent).options.ca).toEqual(CA);
    expect(up.describe).not.toContain('sa-token');
  });

  it('given a named context, then that context is used', () => {
    const up = resolveUpstream({ kind: 'kubeconfig', path: kubeconfig({ token: 't' }), context: 'dev' });
    expect(up.target.origin).toBe('http://127.0.0.1:8080');
  });

  it('given a tokenFile relative to the kubeconfig, then it is read from there', () => {
    writeFileSync(join(dir, 'token'), 'from-file\n');
    const up = resolveUpstream({ kind: 'kubeconfig', path: kubeconfig({ tokenFile: 'token' }), context: undefined });
    expect(up.authorization()).toBe('Bearer from-file');
  });

  it('given client certificate data, then the agent carries it and no bearer token is sent', () => {
    const cert = Buffer.from('CERT').toString('base64');
    const key = Buffer.from('KEY').toString('base64');
    const up = resolveUpstream({ kind: 'kubeconfig', path: kubeconfig({ 'client-certificate-data': cert, 'client-key-data': key }), context: undefined });
    expect(up.authorization()).toBeUndefined();
    expect((up.agent as HttpsAgent).options.cert).toEqual(Buffer.from('CERT'));
    expect(up.describe).toContain('client certificate');
  });

  it('given an exec plugin user, then start-up is refused with a clear reason', () => {
    const path = kubeconfig({ exec: { command: 'aws', args: ['eks', 'get-token'] } });
    expect(() => resolveUpstream({ kind: 'kubeconfig', path, context: undefined })).toThrow(StartupError);
    expect(() => resolveUpstream({ kind: 'kubeconfig', path, context: undefined })).toThrow(/exec or auth-provider plugin/);
  });

  it('given an unknown context or a missing file, then start-up is refused naming it', () => {
    expect(() => resolveUpstream({ kind: 'kubeconfig', path: kubeconfig({ token: 't' }), context: 'staging' })).toThrow(/context "staging" not found/);
    expect(() => resolveUpstream({ kind: 'kubeconfig', path: join(dir, 'nope'), context: undefined })).toThrow(/cannot read the kubeconfig/);
  });
});

describe('the API server agent', () => {
  it('given requests to its origin, then their pool name is Node\'s, computed once per origin (not from the CA text each time)', () => {
    const up = resolveUpstream({ kind: 'kubeconfig', path: kubeconfig({ token: 't' }), context: undefined });
    const agent = up.agent as HttpsAgent;
    const nodeNames = jest.spyOn(HttpsAgent.prototype, 'getName');
    const request = { host: '10.0.0.1', port: 6443, ...agent.options };
    const first = agent.getName(request);
    expect(agent.getName({ ...request })).toBe(first);
    expect(first).toBe(new HttpsAgent(agent.options).getName(request));
    expect(first).toContain(CA.toString());
    expect(agent.getName({ ...request, host: '10.0.0.2' })).not.toBe(first);
    // Node's own naming ran once per origin (two) and for the reference agent above (one), not again.
    expect(nodeNames).toHaveBeenCalledTimes(3);
    nodeNames.mockRestore();
  });
});

describe('resolveUpstream from a URL and token file', () => {
  it('re-reads nothing but the file it was given and never embeds the token in its description', () => {
    writeFileSync(join(dir, 'sa'), 'abc');
    const up = resolveUpstream({ kind: 'token-file', url: 'https://cluster:6443', tokenFile: join(dir, 'sa'), caFile: undefined });
    expect(up.authorization()).toBe('Bearer abc');
    expect(up.describe).toBe('https://cluster:6443 with a token file');
  });

  it('refuses a URL that is not one', () => {
    expect(() => resolveUpstream({ kind: 'token-file', url: 'not a url', tokenFile: undefined, caFile: undefined })).toThrow(/is not a URL/);
  });
});
