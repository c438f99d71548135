import { randomUUID } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { busSubjects } from '@chaperone/contracts';
import { connectBus, encodeJson } from '@chaperone/bus';
import { ReplicaLiveness, STALL_MS } from './replica-liveness';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];
const subjects = busSubjects(`replica-liveness-int-${randomUUID().slice(0, 8)}`);
const SILENCE_MS = 8000;
/** The reconciler judges once a second. */
const ROUND_MS = 1000;

describe('which ingress replicas are silent (real NATS key-value watch, a clock of the test\'s)', () => {
  jest.setTimeout(30_000);
  let nc: NatsConnection;
  let now = 0;
  let liveness: ReplicaLiveness;

  /** Rounds of a running process: it looks at its clock at least once a second. */
  const rounds = (ms: number, replicas: string[]): Map<string, number> => {
    let last = new Map<string, number>();
    for (let t = ROUND_MS; t <= ms; t += ROUND_MS) {
      now += ROUND_MS;
      last = liveness.gone(replicas, SILENCE_MS);
    }
    return last;
  };

  beforeAll(async () => {
    nc = await connectBus(servers, 'replica-liveness-int-test');
  });

  beforeEach(async () => {
    now = 0;
    liveness = await ReplicaLiveness.open(nc, subjects, () => now);
  });

  afterEach(() => liveness.close());

  afterAll(async () => {
    const kv = await nc.jetstream().views.kv(subjects.ingressReplicaBucket);
    await kv.destroy().catch(() => undefined);
    await nc.drain();
  });

  it('given a replica never heard while this process runs, when the silence reaches its bound, then it is gone', () => {
    expect(rounds(SILENCE_MS - ROUND_MS, ['ingress-a']).size).toBe(0);
    expect(rounds(ROUND_MS, ['ingress-a'])).toEqual(new Map([['ingress-a', SILENCE_MS]]));
  });

  it('given this process did not run for longer than the silence bound, when it judges right after, then nobody is gone, and silence counts from the end of the stall', () => {
    rounds(3 * ROUND_MS, ['ingress-a']);
    now += SILENCE_MS + 2 * STALL_MS; // stopped, starved or paused: announcements of that time are unread
    expect(liveness.gone(['ingress-a'], SILENCE_MS).size).toBe(0);
    expect(rounds(SILENCE_MS - ROUND_MS, ['ingress-a']).size).toBe(0);
    expect(rounds(ROUND_MS, ['ingress-a'])).toEqual(new Map([['ingress-a', SILENCE_MS]]));
  });

  it('given a replica that announces itself, when the others fall silent, then only they are gone', async () => {
    const kv = await nc.jetstream().views.kv(subjects.ingressReplicaBucket);
    rounds(SILENCE_MS - ROUND_MS, ['ingress-a', 'ingress-b']);
    await kv.put('ingress-b', encodeJson({ replica: 'ingress-b' }));
    // Heard once its announcement is read: silent for no time at all.
    for (let i = 0; i < 100 && liveness.gone(['ingress-b'], 1).size > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(rounds(ROUND_MS, ['ingress-a', 'ingress-b'])).toEqual(new Map([['ingress-a', SILENCE_MS]]));
  });
});
