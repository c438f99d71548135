import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { busSubjects, type BusSubjects } from '@chaperone/contracts';
import type { IngressConfig } from '../../tokens';
import { MaskingClient } from '../../masking-client/masking-client';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];

/** The bus a masking spec runs on: real NATS, a prefix of its own, the ingress's client, and replica stand-ins' connections. */
export interface MaskingBus {
  readonly subjects: BusSubjects;
  /** The ingress's connection (open between the spec's beforeAll and afterAll). */
  readonly nc: NatsConnection;
  /** A masking client on that connection, with short timeouts. */
  client(subjects?: BusSubjects): MaskingClient;
  /** A connection for a masking replica stand-in, closed after the test. */
  replicaConnection(): Promise<NatsConnection>;
}

/** Registers the spec's hooks: one connection for the spec, replicas' connections closed after each test. */
export function maskingBus(name: string): MaskingBus {
  const subjects = busSubjects(`${name}-${randomUUID().slice(0, 8)}`);
  const replicas: NatsConnection[] = [];
  let nc: NatsConnection | undefined;
  beforeAll(async () => {
    nc = await connect({ servers, name });
  });
  afterEach(async () => {
    for (const r of replicas.splice(0)) if (!r.isClosed()) await r.close();
  });
  afterAll(async () => {
    await nc?.close();
  });
  const connected = (): NatsConnection => {
    if (!nc) throw new Error('the masking bus is used before its beforeAll');
    return nc;
  };
  return {
    subjects,
    get nc() {
      return connected();
    },
    client: (of = subjects) => new MaskingClient(connected(), of, { maskingOpenTimeoutMs: 1000, maskingTimeoutMs: 5000 } as IngressConfig),
    replicaConnection: async () => {
      const r = await connect({ servers, name: 'fake-masking-replica' });
      replicas.push(r);
      return r;
    },
  };
}
