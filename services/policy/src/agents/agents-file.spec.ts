import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadAgentsFile } from './agents-file';

const load = (text: string) => loadAgentsFile(Buffer.from(text));
const GOOD = `apiVersion: chaperone.dev/v1alpha1
kind: AgentRegistry
agents:
  - agent: demo-agent
    owner: alice@example.com
    purpose: reads workloads
    scope: { namespaces: [default], verbs: [get, list], resources: [pods] }
`;

describe('agents file', () => {
  it('loads agents with a version that hashes the bytes', () => {
    const r = load(GOOD);
    expect(r).toMatchObject({ ok: true, agents: [{ agent: 'demo-agent', owner: 'alice@example.com', scope: { verbs: ['get', 'list'] } }] });
    expect(r.ok && r.version).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('reports every problem with line:column and path', () => {
    const r = load(GOOD.replace('owner: alice@example.com', 'owner: ""').replace('verbs: [get, list]', 'verbs: []').replace('kind: AgentRegistry', 'kind: Policy'));
    expect(r.ok).toBe(false);
    const errors = r.ok ? [] : r.errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^2:\d+: kind: /),
        expect.stringMatching(/^5:\d+: agents\[0\]\.owner: /),
        expect.stringMatching(/^7:\d+: agents\[0\]\.scope\.verbs: /),
      ]),
    );
  });

  it('takes apiGroups with "" for the core group, and refuses an empty list', () => {
    const grouped = load(GOOD.replace('verbs: [get, list],', 'verbs: [get, list], apiGroups: ["", apps],'));
    expect(grouped).toMatchObject({ ok: true, agents: [{ scope: { apiGroups: ['', 'apps'] } }] });
    expect(load(GOOD).ok && load(GOOD)).not.toHaveProperty('agents.0.scope.apiGroups');
    const empty = load(GOOD.replace('verbs: [get, list],', 'verbs: [get, list], apiGroups: [],'));
    expect(empty.ok ? [] : empty.errors).toEqual([expect.stringMatching(/^7:\d+: agents\[0\]\.scope\.apiGroups: /)]);
  });

  it('refuses an agent registered twice, unknown keys and broken YAML', () => {
    expect(load(GOOD + GOOD.split('agents:\n')[1])).toEqual({ ok: false, errors: ['agents[1].agent: "demo-agent" is registered twice'] });
    expect(load(GOOD.replace('purpose:', 'token: x\n    purpose:')).ok).toBe(false);
    expect(load('agents: [oops').ok).toBe(false);
  });
});

describe('the example agents file shipped in deploy/', () => {
  const deploy = join(__dirname, '../../../../deploy');

  it('registers demo-agent (npm start) with an owner, purpose and scope', () => {
    const r = loadAgentsFile(readFileSync(join(deploy, 'agents.example.yaml')));
    expect(r).toMatchObject({ ok: true, agents: [{ agent: 'demo-agent', owner: expect.any(String), purpose: expect.any(String) }] });
  });

  it('the Kubernetes ConfigMap carries it byte for byte', () => {
    const configMap = parse(readFileSync(join(deploy, 'kubernetes/base/25-agents.yaml'), 'utf8')) as { data: Record<string, string> };
    expect(configMap.data['agents.yaml']).toBe(readFileSync(join(deploy, 'agents.example.yaml'), 'utf8'));
  });
});
