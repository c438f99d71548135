import { randomUUID } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { connectBus } from './connect';
import { decodeJson } from './codec';
import { ANSWERED_ELSEWHERE, requestJson, serveJson, type JsonResponder } from './json-rpc';
import { ErrorReply, RpcFailed } from './rpc-errors';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];

/** A plain-JSON service and its caller on two connections, as two processes would be. */
describe('plain-JSON request/reply (real NATS)', () => {
  const subject = `json-rpc-int-${randomUUID().slice(0, 8)}.echo`;
  const unexpected: unknown[] = [];
  let server: NatsConnection;
  let client: NatsConnection;
  let responder: JsonResponder;
  let release: () => void = () => undefined;

  beforeAll(async () => {
    server = await connectBus(servers, 'json-rpc-server');
    client = await connectBus(servers, 'json-rpc-client');
    responder = serveJson(server, {
      subject,
      queue: 'json-rpc-int',
      handle: async (request) => {
        const r = request as { op: string; value?: unknown };
        if (r.op === 'refuse') throw new ErrorReply('refused: op says so');
        if (r.op === 'crash') throw new Error('internal detail that stays inside');
        // Answers once the test releases it: a request still being handled when the service stops.
        if (r.op === 'slow') await new Promise<void>((resolve) => (release = resolve));
        if (r.op === 'elsewhere') return ANSWERED_ELSEWHERE;
        return { echoed: r.value };
      },
      onUnexpected: (e) => unexpected.push(e),
    });
    await server.flush();
  });

  afterAll(async () => {
    if (!server.isClosed()) await server.close();
    await client.drain();
  });

  it('answers with the handler’s value, no envelope', async () => {
    expect(await requestJson(client, subject, { op: 'echo', value: [1, 'a'] }, 2000)).toEqual({ echoed: [1, 'a'] });
    const raw = await client.request(subject, new TextEncoder().encode('{"op":"echo","value":7}'), { timeout: 2000 });
    expect(decodeJson(raw.data)).toEqual({ echoed: 7 });
  });

  it('sends no reply when the handler answered another way (ANSWERED_ELSEWHERE)', async () => {
    await expect(requestJson(client, subject, { op: 'elsewhere' }, 300)).rejects.toThrow(/TIMEOUT/i);
    expect(unexpected).toEqual([]);
  });

  it('answers an ErrorReply as { error: { message } }, thrown to the caller as RpcFailed', async () => {
    const refused = requestJson(client, subject, { op: 'refuse' }, 2000);
    await expect(refused).rejects.toBeInstanceOf(RpcFailed);
    await expect(refused).rejects.toThrow('refused: op says so');
  });

  it('answers any other failure with a generic message and reports it inside', async () => {
    const failed = requestJson(client, subject, { op: 'crash' }, 2000);
    await expect(failed).rejects.toThrow(/failed inside the service/);
    await expect(failed).rejects.not.toThrow(/internal detail/);
    expect(unexpected).toEqual([expect.objectContaining({ message: 'internal detail that stays inside' })]);
  });

  it('answers a body that is not JSON without quoting it', async () => {
    const raw = await client.request(subject, new TextEncoder().encode('token=sk-live-123'), { timeout: 2000 });
    expect(decodeJson(raw.data)).toEqual({ error: { message: 'the request is not valid JSON' } });
  });

  it('on drain, answers the request it is handling before resolving, then takes no more', async () => {
    const slow = requestJson(client, subject, { op: 'slow', value: 'late' }, 5000);
    slow.catch(() => undefined); // asserted below; an early failure must not end the run unhandled
    while (responder.inFlight === 0) await new Promise((r) => setTimeout(r, 5));
    let drainedYet = false;
    const drained = responder.drain().then(() => (drainedYet = true));
    expect(responder.active).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(drainedYet).toBe(false);
    release();
    await drained;
    // Closing right after the drain loses nothing: the answer has left already.
    await server.close();
    await expect(slow).resolves.toEqual({ echoed: 'late' });
    await expect(client.request(subject, new Uint8Array(), { timeout: 2000 })).rejects.toMatchObject({ code: '503' });
  });
});
