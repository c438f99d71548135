import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { busSubjects } from '@chaperone/contracts';
import { PartitionLeases, type Lease, type PartitionOwner } from './partition-leases';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];
const subjects = busSubjects(`leases-int-${randomUUID().slice(0, 8)}`);
const PARTITIONS = 8;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(fn: () => T, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met in time; last value: ${JSON.stringify(v)}`);
    await sleep(50);
  }
}

/** An owner that records what the leases told it, as the event recorder's writers would act on it. */
class RecordingOwner implements PartitionOwner {
  readonly current = new Map<number, Lease>();
  readonly terms: Array<{ partition: number; at: number }> = [];
  readonly releases: Array<{ partition: number; why: string }> = [];
  acquired(lease: Lease): void {
    this.current.set(lease.partition, lease);
    this.terms.push({ partition: lease.partition, at: Date.now() });
  }
  released(partition: number, why: string): Promise<void> {
    this.current.delete(partition);
    this.releases.push({ partition, why });
    return Promise.resolve();
  }
  held(): number[] {
    return [...this.current.keys()].sort((a, b) => a - b);
  }
}

describe('partition leases (real NATS KV)', () => {
  jest.setTimeout(60_000);
  const connections: NatsConnection[] = [];
  const opened: PartitionLeases[] = [];

  async function replica(id: string, timing?: { renewMs: number; ttlMs: number }): Promise<{ nc: NatsConnection; leases: PartitionLeases; owner: RecordingOwner }> {
    const nc = await connect({ servers, name: `leases-${id}` });
    connections.push(nc);
    const owner = new RecordingOwner();
    const leases = await PartitionLeases.open(nc, subjects, id, owner, { partitions: PARTITIONS, ...(timing ? { timing } : {}) });
    opened.push(leases);
    return { nc, leases, owner };
  }

  afterAll(async () => {
    for (const l of opened) await l.close().catch(() => undefined);
    const admin = await connect({ servers });
    await (await admin.jetstreamManager()).streams.delete(`KV_${subjects.auditLeaseBucket}`).catch(() => undefined);
    await admin.close();
    for (const nc of connections) if (!nc.isClosed()) await nc.close();
  });

  it('given two replicas, each partition has exactly one holder and they hold half each; when one closes, the other takes all within a round', async () => {
    const a = await replica('replica-a');
    await eventually(() => a.owner.held(), (h) => h.length === PARTITIONS);
    const b = await replica('replica-b');
    await eventually(() => [a.owner.held(), b.owner.held()], ([x, y]) => x?.length === PARTITIONS / 2 && y?.length === PARTITIONS / 2);
    expect([...a.owner.held(), ...b.owner.held()].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // A handed back exactly what B now holds, and stopped acting on it.
    expect(a.owner.releases.map((r) => r.partition).sort()).toEqual(b.owner.held());
    for (const p of b.owner.held()) expect(a.owner.current.get(p)).toBeUndefined();

    const closedAt = Date.now();
    await a.leases.close();
    await eventually(() => b.owner.held(), (h) => h.length === PARTITIONS, 3000);
    console.info(`[leases] handed back on close: taken over after ${Date.now() - closedAt} ms`);
    await b.leases.close();
  });

  it('given a replica that vanishes without handing back (connection gone), it stops at once and the other takes over after the ttl, not before', async () => {
    const a = await replica('replica-c');
    await eventually(() => a.owner.held(), (h) => h.length === PARTITIONS);
    const b = await replica('replica-d');
    await eventually(() => b.owner.held(), (h) => h.length === PARTITIONS / 2);
    const aHeld = a.owner.held();
    const goneAt = Date.now();
    await a.nc.close(); // no renewals, no hand-back: as after a crash, but A can still tell us what it did
    await eventually(() => a.owner.held(), (h) => h.length === 0, 3000);
    expect(Date.now() - goneAt).toBeLessThan(2500); // A stopped acting before anyone may take over
    await eventually(() => b.owner.held(), (h) => h.length === PARTITIONS, 10_000);
    const takenAfter = Math.min(...b.owner.terms.filter((t) => aHeld.includes(t.partition)).map((t) => t.at)) - goneAt;
    expect(takenAfter).toBeGreaterThanOrEqual(2000); // the ttl (3 s from B's last sight of a renewal)
    console.info(`[leases] vanished holder: its partitions taken over after ${takenAfter} ms`);
    await b.leases.close();
  });

  it('given a holder whose lease lapses between renewals (a stall), the lapse is final for that term and a new term starts: never a silent partition', async () => {
    // Validity ends 50 ms after each renewal is sent, long before the next one.
    const a = await replica('replica-e', { renewMs: 300, ttlMs: 350 });
    const first = await eventually(() => a.owner.current.get(0), (l) => l !== undefined);
    await eventually(() => (first as Lease).valid(), (v) => !v, 2000);
    await sleep(700); // the partition is taken again meanwhile: as a new term, with a new lease
    expect((first as Lease).valid()).toBe(false);
    await eventually(() => a.owner.terms.filter((t) => t.partition === 0).length, (n) => n >= 3, 5000);
    expect(a.owner.releases.some((r) => r.partition === 0 && /not renewed in time/.test(r.why))).toBe(true);
    await a.leases.close();
  });
});
