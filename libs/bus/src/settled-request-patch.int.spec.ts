import { randomUUID } from 'node:crypto';
import { ErrorCode, NatsError, type NatsConnection } from 'nats';
import { connectBus } from './connect';
import { settledRequestPatched } from './settled-request-patch';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];

/** The requests nats.js still tracks (its mux): an answered or failed request must leave it. */
const tracked = (nc: NatsConnection): number => (nc as unknown as { protocol: { muxSubscriptions: { size(): number } } }).protocol.muxSubscriptions.size();

describe('answered requests build no unused error (real NATS)', () => {
  const subject = `settled-request-${randomUUID().slice(0, 8)}`;
  let nc: NatsConnection;
  let errors: jest.SpyInstance;

  beforeAll(async () => {
    nc = await connectBus(servers, 'settled-request-int');
    nc.subscribe(`${subject}.echo`, { callback: (_e, m) => m.respond(m.data) });
    await nc.flush();
  });
  beforeEach(() => {
    errors = jest.spyOn(NatsError, 'errorForCode');
  });
  afterEach(() => errors.mockRestore());
  afterAll(async () => {
    await nc.drain();
  });

  const cancelled = (): number => errors.mock.calls.filter(([code]) => code === ErrorCode.Cancelled).length;

  it('given 50 answered requests, then each gets its answer, none builds a Cancelled error, and none stays tracked', async () => {
    expect(settledRequestPatched()).toBe(true);
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => nc.request(`${subject}.echo`, new TextEncoder().encode(`m${i}`), { timeout: 2000 })));
    expect(answers.map((m) => new TextDecoder().decode(m.data))).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
    expect(cancelled()).toBe(0);
    expect(tracked(nc)).toBe(0);
  });

  it('given no responder, then the request still fails with 503 and leaves nothing tracked', async () => {
    await expect(nc.request(`${subject}.nobody`, new Uint8Array(), { timeout: 2000 })).rejects.toMatchObject({ code: '503' });
    expect(tracked(nc)).toBe(0);
  });

  it('given a responder that never answers, then the request still times out and leaves nothing tracked', async () => {
    nc.subscribe(`${subject}.silent`, { callback: () => undefined });
    await nc.flush();
    await expect(nc.request(`${subject}.silent`, new Uint8Array(), { timeout: 200 })).rejects.toMatchObject({ code: ErrorCode.Timeout });
    expect(tracked(nc)).toBe(0);
  });
});
