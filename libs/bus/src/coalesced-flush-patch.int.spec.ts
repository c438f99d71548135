import { randomUUID } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { connectBus } from './connect';
import { coalescedFlushPatched } from './coalesced-flush-patch';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];

/**
 * The socket writes of a connection (nats.js's transport) that carry a publish to `subject`. Other
 * writes (a PONG to the server's PING) may come at any time and are not the test's.
 */
function writesTo(nc: NatsConnection, subject: string): { count: () => number } {
  const transport = (nc as unknown as { protocol: { transport: { send(frame: Uint8Array): void } } }).protocol.transport;
  const send = transport.send.bind(transport);
  let writes = 0;
  transport.send = (frame) => {
    if (new TextDecoder().decode(frame).includes(`PUB ${subject} `)) writes++;
    send(frame);
  };
  return { count: () => writes };
}

describe('publishes coalesced per event-loop turn (real NATS)', () => {
  const subject = `coalesced-flush-${randomUUID().slice(0, 8)}`;
  let publisher: NatsConnection;
  let subscriber: NatsConnection;

  beforeAll(async () => {
    publisher = await connectBus(servers, 'coalesced-flush-pub');
    subscriber = await connectBus(servers, 'coalesced-flush-sub');
  });
  afterAll(async () => {
    await publisher.drain();
    await subscriber.drain();
  });

  it('given 20 callbacks of one loop phase that each publish, then the messages leave in one socket write, all of them, in order', async () => {
    expect(coalescedFlushPatched()).toBe(true);
    const got: string[] = [];
    const all = new Promise<void>((resolve) => {
      subscriber.subscribe(subject, {
        callback: (_e, m) => {
          got.push(new TextDecoder().decode(m.data));
          if (got.length === 20) resolve();
        },
      });
    });
    await subscriber.flush();
    const writes = writesTo(publisher, subject);
    // Twenty immediates queued together run in one check phase, with a microtask checkpoint after
    // each callback (as twenty HTTP requests read in one poll phase would be). Timers due together
    // would do too, but a busy machine may split them over two loop turns.
    await new Promise<void>((resolve) => {
      for (let i = 0; i < 20; i++) setImmediate(() => publisher.publish(subject, new TextEncoder().encode(`m${i}`)));
      // Runs after the twenty, in the same phase; the next phase has the flush, then this resolve.
      setImmediate(() => setImmediate(resolve));
    });
    expect(writes.count()).toBe(1);
    await all;
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
  });

  it('given a publish and then close() at once, then the message still leaves', async () => {
    const closing = await connectBus(servers, 'coalesced-flush-close');
    const got = new Promise<string>((resolve) => {
      subscriber.subscribe(`${subject}.last`, { max: 1, callback: (_e, m) => resolve(new TextDecoder().decode(m.data)) });
    });
    await subscriber.flush();
    closing.publish(`${subject}.last`, new TextEncoder().encode('last words'));
    await closing.close();
    expect(await got).toBe('last words');
  });

  it('given a request, then its answer still comes (the flush is deferred, not lost)', async () => {
    subscriber.subscribe(`${subject}.echo`, { callback: (_e, m) => m.respond(m.data) });
    await subscriber.flush();
    const answer = await publisher.request(`${subject}.echo`, new TextEncoder().encode('ping'), { timeout: 2000 });
    expect(new TextDecoder().decode(answer.data)).toBe('ping');
  });
});
