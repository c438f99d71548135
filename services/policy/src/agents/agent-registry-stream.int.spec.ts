import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { AgentRegistryEventSchema, EvidenceStreams, type Identity, type RequestInfo } from '@chaperone/contracts';
import { chainedEventStore, JetStreamEventStore, type EventStore } from '@chaperone/event-store';
import { AgentRegistry } from './agent-registry-stream';
import { AgentsFileError } from './agents-file';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];
const quiet = { log: () => undefined, warn: () => undefined };

const file = (agents: Array<{ agent: string; owner?: string; verbs?: string[] }>) => `apiVersion: chaperone.dev/v1alpha1
kind: AgentRegistry
agents:
${agents
  .map(
    (a) => `  - agent: ${a.agent}
    owner: ${a.owner ?? 'alice@example.com'}
    purpose: e2e
    scope: { namespaces: [default], verbs: [${(a.verbs ?? ['get', 'list']).join(', ')}], resources: [pods] }`,
  )
  .join('\n')}
`;
const identity = (agent: string): Identity => ({ subject: agent, username: agent, groups: ['agents'], agent, issuer: 'https://issuer' });
const pods = (verb: 'list' | 'delete'): RequestInfo => ({
  isResourceRequest: true,
  path: '/api/v1/namespaces/default/pods',
  verb,
  apiPrefix: 'api',
  apiGroup: '',
  apiVersion: 'v1',
  namespace: 'default',
  resource: 'pods',
  subresource: '',
  name: '',
  parts: ['namespaces', 'default', 'pods'],
});

async function eventually(cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('agent registry over a real JetStream event store', () => {
  jest.setTimeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), 'agents-int-'));
  const path = join(dir, 'agents.yaml');
  const id = randomUUID().replace(/-/g, '').slice(0, 12);
  const config = { streamName: `TEST_AGENTS_${id}`, subjectPrefix: `test-agents-${id}` };
  let nc: NatsConnection;
  let reader: EventStore;
  const registries: AgentRegistry[] = [];

  const replica = async (opts: { watch?: boolean; required?: boolean } = {}) => {
    const store = chainedEventStore(await JetStreamEventStore.create(nc, config));
    const r = new AgentRegistry(store, { file: path, required: opts.required ?? true, watch: opts.watch ?? false, refreshMs: 200 }, quiet);
    registries.push(r);
    return r;
  };
  const stored = async () => (await reader.readStream(EvidenceStreams.agentRegistry)).map((e) => AgentRegistryEventSchema.parse(e.data));

  beforeAll(async () => {
    nc = await connect({ servers, name: 'agent-registry-int' });
    reader = await JetStreamEventStore.create(nc, config);
  });
  afterAll(async () => {
    for (const r of registries) await r.close();
    await (await nc.jetstreamManager()).streams.delete(config.streamName);
    await nc.drain();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given two replicas applying the same file at once, each registration is stored exactly once, and again after restarts', async () => {
    writeFileSync(path, file([{ agent: 'a-bot' }, { agent: 'b-bot', owner: 'bob@example.com' }]));
    const [one, two] = [await replica(), await replica()];
    await Promise.all([one!.start(), two!.start()]);
    const events = await stored();
    expect(events.map((e) => `${e.type} ${e.agent}`)).toEqual(['AgentRegistered a-bot', 'AgentRegistered b-bot']);
    expect(events[1]).toMatchObject({ owner: 'bob@example.com', purpose: 'e2e', scope: { verbs: ['get', 'list'] }, source: expect.stringMatching(/^file:.*agents\.yaml sha256:/) });
    // A restart (a new process) applies the unchanged file: nothing new.
    await (await replica()).start();
    expect(await stored()).toHaveLength(2);
    expect([...two!.agents.keys()]).toEqual(['a-bot', 'b-bot']);
  });

  it('refuses unregistered agents and requests outside the scope, naming the agent and its owner', async () => {
    const r = await replica();
    await r.start();
    const version = 'sha256:policy';
    expect(r.refuse(identity('a-bot'), pods('list'), version)).toBeUndefined();
    expect(r.refuse(identity('stranger'), pods('list'), version)).toMatchObject({
      effect: 'deny',
      rule: 'unregistered-agent',
      policyVersion: version,
      reason: 'agent "stranger" is not registered with chaperone; its owner must add it to the agent registry (owner, purpose and scope)',
    });
    expect(r.refuse(identity('b-bot'), pods('delete'), version)).toMatchObject({
      effect: 'deny',
      rule: 'agent-out-of-scope',
      reason: expect.stringContaining('agent "b-bot" (owner bob@example.com) is not registered to delete pods in namespace default'),
    });
    // Registration not required: strangers pass to the rules, registered agents keep their scope.
    const open = await replica({ required: false });
    await open.start();
    expect(open.refuse(identity('stranger'), pods('list'), version)).toBeUndefined();
    expect(open.refuse(identity('b-bot'), pods('delete'), version)).toMatchObject({ rule: 'agent-out-of-scope' });
  });

  it('hot-reloads the file: updates and removals are stored once and every replica follows', async () => {
    const watching = await replica({ watch: true });
    const other = await replica();
    await Promise.all([watching.start(), other.start()]);
    writeFileSync(path, file([{ agent: 'a-bot', verbs: ['get', 'list', 'delete'] }]));
    await eventually(async () => (await stored()).length === 4);
    expect((await stored()).slice(2).map((e) => `${e.type} ${e.agent}`)).toEqual(['AgentUpdated a-bot', 'AgentRemoved b-bot']);
    // The other replica picks the change up from the stream.
    await eventually(() => other.refuse(identity('b-bot'), pods('list'), 'v')?.rule === 'unregistered-agent');
    expect(other.refuse(identity('a-bot'), pods('delete'), 'v')).toBeUndefined();
    // An invalid edit is refused; the registry stays as it is.
    writeFileSync(path, 'agents: [oops');
    await new Promise((r) => setTimeout(r, 500));
    expect(await stored()).toHaveLength(4);
    expect(watching.refuse(identity('a-bot'), pods('delete'), 'v')).toBeUndefined();
  });

  it('an invalid file at start is an error naming the file and line', async () => {
    writeFileSync(path, file([{ agent: 'a-bot' }]).replace('owner: alice@example.com', 'owner: ""'));
    const r = await replica();
    await expect(r.start()).rejects.toThrow(AgentsFileError);
    await expect(r.start()).rejects.toThrow(/agents\.yaml:5:\d+: agents\[0\]\.owner/);
  });
});
