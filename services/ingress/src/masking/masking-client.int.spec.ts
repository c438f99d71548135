import { randomUUID } from 'node:crypto';
import { connect, headers as natsHeaders, type NatsConnection } from 'nats';
import { busSubjects, MaskHeaders, MASK_ALIVE_OP } from '@chaperone/contracts';
import { encodeJson } from '@chaperone/bus';
import type { IngressConfig } from '../tokens';
import { MaskingClient, MaskStream, MaskingUnavailable } from './masking-client';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];
const subjects = busSubjects(`maskcli-int-${randomUUID().slice(0, 8)}`);
/** The exchange timeout a whole large document may need: far above what the test waits. */
const EXCHANGE_TIMEOUT_MS = 30_000;

/**
 * A masking replica on its own connection, as the masking service answers the bus: it opens a
 * stream, then answers `alive` and the exchange after `answerAfterMs` (never when undefined).
 */
async function maskingReplica(answerAfterMs: number | undefined): Promise<{ nc: NatsConnection; tookExchange: Promise<void> }> {
  const nc = await connect({ servers, name: 'fake-masking-replica' });
  let took!: () => void;
  const tookExchange = new Promise<void>((r) => (took = r));
  nc.subscribe(subjects.maskOpen, {
    queue: subjects.queue('masking'),
    callback: (_e, msg) => {
      const session = randomUUID();
      nc.subscribe(subjects.maskSession(session), {
        callback: (_e2, m) => {
          if (m.headers?.get(MaskHeaders.op) === MASK_ALIVE_OP) return m.respond(new Uint8Array());
          took();
          if (answerAfterMs !== undefined) setTimeout(() => m.respond(Buffer.from('masked'), { headers: natsHeaders() }), answerAfterMs);
          return true;
        },
      });
      void nc.flush().then(() => msg.respond(encodeJson({ response: { schemaVersion: 1, session } })));
    },
  });
  await nc.flush();
  return { nc, tookExchange };
}

describe('masking client: an exchange a masking replica took (real NATS)', () => {
  jest.setTimeout(20_000);
  let nc: NatsConnection;
  let client: MaskingClient;

  beforeAll(async () => {
    nc = await connect({ servers, name: 'maskcli-int' });
    client = new MaskingClient(nc, subjects, { maskingOpenTimeoutMs: 2000, maskingTimeoutMs: EXCHANGE_TIMEOUT_MS } as IngressConfig);
  });
  afterAll(async () => {
    await nc.close();
  });

  it('given the replica dies holding the exchange, then the exchange fails within seconds, saying so, not after the exchange timeout', async () => {
    const replica = await maskingReplica(undefined);
    const stream = await client.open('r1', 'document', 'default');
    const started = Date.now();
    const ending = stream.end(Buffer.from('{"kind":"Secret"}'));
    await replica.tookExchange;
    await replica.nc.close(); // as SIGKILL does: the server drops its subscriptions
    await expect(ending).rejects.toThrow(MaskingUnavailable);
    await expect(ending).rejects.toThrow(/masking service replica masking this response stopped/);
    expect(Date.now() - started).toBeLessThan(EXCHANGE_TIMEOUT_MS / 3);
  });

  it('given the bus connection dropped while an exchange waited (NATS restarted), then the exchange fails at once: its request or answer may be lost', async () => {
    const replica = await maskingReplica(undefined);
    const session = randomUUID();
    replica.nc.subscribe(subjects.maskSession(session), { callback: (_e, m) => (m.headers?.get(MaskHeaders.op) === MASK_ALIVE_OP ? m.respond(new Uint8Array()) : true) });
    await replica.nc.flush();
    let drop: (() => void) | undefined;
    const stream = new MaskStream(nc, subjects.maskSession(session), EXCHANGE_TIMEOUT_MS, (dropped) => {
      drop = dropped;
      return () => (drop = undefined);
    });
    const started = Date.now();
    const ending = stream.end(Buffer.from('{}'));
    ending.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200)); // the exchange is under way
    drop?.(); // as the connection's status says on a NATS restart
    await expect(ending).rejects.toThrow(/the bus connection dropped while the masking service had this response/);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(drop).toBeUndefined(); // no longer listening
    await replica.nc.close();
  });

  it('given the replica is alive but slow (a large document), then the exchange waits for its answer', async () => {
    const replica = await maskingReplica(3000);
    const stream = await client.open('r2', 'document', 'default');
    await expect(stream.end(Buffer.from('{"kind":"Secret"}'))).resolves.toEqual(Buffer.from('masked'));
    await replica.nc.close();
  });
});
