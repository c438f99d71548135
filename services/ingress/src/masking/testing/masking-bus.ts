import { randomUUID } from 'node:crypto';
import { connect, headers as natsHeaders, type MsgHdrs, type NatsConnection } from 'nats';
import { decodeJson, encodeJson } from '@chaperone/bus';
import { busSubjects, MASK_ALIVE_OP, MASK_CLOSE_OP, MaskHeaders, type BusSubjects, type MaskReport } from '@chaperone/contracts';
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

/** The report every stand-in answer carries. */
export const STAND_IN_REPORT: MaskReport = { count: 1, paths: ['data.password'], detectors: {} };

/** What a replica stand-in saw: documents masked in one request (`profile:bytes`), opens (request ids, modes), stream ops (`op:bytes`), closes. */
export interface ReplicaStandIn {
  documents: string[];
  opens: string[];
  modes: string[];
  ops: string[];
  closes: number;
  nc: NatsConnection;
}

/** How the stand-in answers a document masked in one request (default: masked, with the report). */
export type DocumentAnswer = (body: Uint8Array) => { error?: string; report?: string };

/**
 * A masking replica stand-in on its own connection, answering as the masking service does: a
 * document masked in one request comes back as `masked-document`, a stream's `end` as
 * `masked-stream` (both with STAND_IN_REPORT), `data` and `alive` with nothing; `close` is counted.
 */
export async function maskingReplica(bus: MaskingBus, answerDocument: DocumentAnswer = () => ({ report: JSON.stringify(STAND_IN_REPORT) })): Promise<ReplicaStandIn> {
  const { subjects } = bus;
  const r: ReplicaStandIn = { documents: [], opens: [], modes: [], ops: [], closes: 0, nc: await bus.replicaConnection() };
  const withReport = (): MsgHdrs => {
    const h = natsHeaders();
    h.set(MaskHeaders.report, JSON.stringify(STAND_IN_REPORT));
    return h;
  };
  r.nc.subscribe(subjects.maskDocument, {
    queue: subjects.queue('masking'),
    callback: (_e, m) => {
      r.documents.push(`${m.headers?.get(MaskHeaders.profile) ?? ''}:${m.data.length}`);
      const { error, report } = answerDocument(m.data);
      const h = natsHeaders();
      if (error) h.set(MaskHeaders.error, error);
      if (report !== undefined) h.set(MaskHeaders.report, report);
      m.respond(error ? new Uint8Array() : Buffer.from('masked-document'), { headers: h });
    },
  });
  r.nc.subscribe(subjects.maskOpen, {
    queue: subjects.queue('masking'),
    callback: (_e, msg) => {
      const open = decodeJson(msg.data) as { requestId: string; mode: string };
      r.opens.push(open.requestId);
      r.modes.push(open.mode);
      const session = randomUUID();
      r.nc.subscribe(subjects.maskSession(session), {
        callback: (_e2, m) => {
          const op = m.headers?.get(MaskHeaders.op) ?? '';
          if (op === MASK_CLOSE_OP) return r.closes++;
          if (op === MASK_ALIVE_OP) return m.respond(new Uint8Array());
          r.ops.push(`${op}:${m.data.length}`);
          return op === 'end' ? m.respond(Buffer.from('masked-stream'), { headers: withReport() }) : m.respond(new Uint8Array(), { headers: natsHeaders() });
        },
      });
      msg.respond(encodeJson({ schemaVersion: 1, session }));
    },
  });
  await r.nc.flush();
  return r;
}
