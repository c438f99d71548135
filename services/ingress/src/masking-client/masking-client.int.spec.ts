import { randomUUID } from 'node:crypto';
import { connect, headers as natsHeaders, type Msg, type NatsConnection } from 'nats';
import { busSubjects, MaskHeaders, MASK_ALIVE_OP, MASK_CHUNK_BYTES } from '@chaperone/contracts';
import { encodeJson } from '@chaperone/bus';
import type { IngressConfig } from '../tokens';
import { FEED_WINDOW, MaskingClient, MaskStream, MaskingUnavailable, PAGE_WINDOW } from './masking-client';

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
      msg.respond(encodeJson({ schemaVersion: 1, session }));
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

  it('given a document fed in chunks, then they travel without waiting for each answer, at most FEED_WINDOW at once, and end follows them', async () => {
    const session = randomUUID();
    const replica = await connect({ servers, name: 'fake-masking-replica' });
    const seen: string[] = [];
    const held: (() => void)[] = [];
    replica.subscribe(subjects.maskSession(session), {
      callback: (_e, m) => {
        const op = m.headers?.get(MaskHeaders.op) ?? '';
        if (op === MASK_ALIVE_OP) return m.respond(new Uint8Array());
        seen.push(`${op}:${m.data.length}`);
        if (op === 'end') return m.respond(Buffer.from('masked'), { headers: natsHeaders() });
        held.push(() => m.respond(new Uint8Array(), { headers: natsHeaders() }));
        return true;
      },
    });
    await replica.flush();
    const stream = new MaskStream(nc, subjects.maskSession(session), EXCHANGE_TIMEOUT_MS);
    for (let i = 0; i < FEED_WINDOW - 1; i++) await stream.feed(Buffer.alloc(10, i));
    await waitFor(() => seen.length === FEED_WINDOW - 1);
    // No answer yet, and every chunk so far is with the replica: none waited for the one before.
    expect(held).toHaveLength(FEED_WINDOW - 1);
    let fed = false;
    const full = stream.feed(Buffer.alloc(10)).then(() => (fed = true));
    await waitFor(() => seen.length === FEED_WINDOW);
    expect(fed).toBe(false); // the window is full until the oldest chunk is answered
    held.shift()?.();
    await full;
    const ending = stream.end(Buffer.from('{}'));
    await waitFor(() => seen.length === FEED_WINDOW + 1);
    expect(seen.at(-1)).toBe('end:2');
    for (const answer of held.splice(0)) answer();
    await expect(ending).resolves.toEqual(Buffer.from('masked'));
    await replica.close();
  });

  it('given a fed chunk the replica refuses, then end fails with the reason the chunk was refused, not the end', async () => {
    const session = randomUUID();
    const replica = await connect({ servers, name: 'fake-masking-replica' });
    let data = 0;
    replica.subscribe(subjects.maskSession(session), {
      callback: (_e, m) => {
        const op = m.headers?.get(MaskHeaders.op) ?? '';
        if (op === MASK_ALIVE_OP) return m.respond(new Uint8Array());
        const h = natsHeaders();
        if (op === 'data' && ++data === 2) h.set(MaskHeaders.error, 'document larger than allowed');
        else if (op === 'end') h.set(MaskHeaders.error, 'end after a failed chunk');
        return m.respond(new Uint8Array(), { headers: h });
      },
    });
    await replica.flush();
    const stream = new MaskStream(nc, subjects.maskSession(session), EXCHANGE_TIMEOUT_MS);
    await stream.feed(Buffer.alloc(10));
    await stream.feed(Buffer.alloc(10));
    await expect(stream.end(Buffer.from('{}'))).rejects.toThrow('masking failed: document larger than allowed');
    await replica.close();
  });
});

/**
 * A replica holding `output` as the masking service pages it out: the answer to `end` is its first
 * MASK_CHUNK_BYTES, then one page per `next`, each but the last saying `more` (and, unless `older`,
 * how many bytes are still held; `announce` overrides that count). The first `next` answers are
 * held back until `holdUntil` of them have arrived, so a client that waits a round trip per page
 * never gets past the first one. Records every op it was sent.
 */
async function pagingReplica(session: string, output: Buffer, opts: { older?: boolean; announce?: (pending: number) => number; holdUntil?: number } = {}) {
  const nc = await connect({ servers, name: 'fake-masking-replica' });
  const ops: string[] = [];
  let at = 0;
  const held: (() => void)[] = [];
  let released = false;
  const pageOut = (m: Msg) => {
    const page = output.subarray(at, at + MASK_CHUNK_BYTES);
    at += page.length;
    const h = natsHeaders();
    const pending = output.length - at;
    if (pending > 0) h.set(MaskHeaders.more, '1');
    if (pending > 0 && !opts.older) h.set(MaskHeaders.pending, String(opts.announce ? opts.announce(pending) : pending));
    if (pending === 0) h.set(MaskHeaders.report, JSON.stringify({ count: 1, paths: ['data.token'], detectors: {} }));
    m.respond(page, { headers: h });
  };
  nc.subscribe(subjects.maskSession(session), {
    callback: (_e, m) => {
      const op = m.headers?.get(MaskHeaders.op) ?? '';
      if (op === MASK_ALIVE_OP) return m.respond(new Uint8Array());
      ops.push(op);
      if (op !== 'next' || released) return pageOut(m);
      held.push(() => pageOut(m));
      if (held.length >= (opts.holdUntil ?? 1)) {
        released = true;
        for (const answer of held.splice(0)) answer();
      }
      return true;
    },
  });
  await nc.flush();
  return { nc, ops };
}

describe('masking client: an answer larger than one page (real NATS)', () => {
  jest.setTimeout(20_000);
  let nc: NatsConnection;
  beforeAll(async () => {
    nc = await connect({ servers, name: 'maskcli-pages-int' });
  });
  afterAll(async () => {
    await nc.close();
  });

  /** Several pages of output, each byte telling its place. */
  const output = (pages: number) => Buffer.from(Array.from({ length: Math.round((pages - 0.5) * MASK_CHUNK_BYTES) }, (_, i) => i % 251));

  it('given the replica says how much it still holds, then the remaining pages are asked for several at once, and the output comes back whole and in order with the report', async () => {
    const session = randomUUID();
    const whole = output(PAGE_WINDOW + 3);
    // No `next` is answered before PAGE_WINDOW of them have arrived: one page a round trip would stall here.
    const replica = await pagingReplica(session, whole, { holdUntil: PAGE_WINDOW });
    const stream = new MaskStream(nc, subjects.maskSession(session), 5_000);
    const out = await stream.end(Buffer.from('{}'));
    expect(out.equals(whole)).toBe(true);
    expect(stream.report?.count).toBe(1);
    expect(replica.ops).toEqual(['end', ...Array.from({ length: PAGE_WINDOW + 2 }, () => 'next')]);
    await replica.nc.close();
  });

  it('given an older replica that does not say how much it holds, then its pages are asked for one at a time and the output still comes back whole', async () => {
    const session = randomUUID();
    const whole = output(3);
    const replica = await pagingReplica(session, whole, { older: true });
    const stream = new MaskStream(nc, subjects.maskSession(session), 5_000);
    expect((await stream.end(Buffer.from('{}'))).equals(whole)).toBe(true);
    expect(replica.ops).toEqual(['end', 'next', 'next']);
    await replica.nc.close();
  });

  it.each([
    ['announces more bytes than its pages hold', (pending: number) => pending + MASK_CHUNK_BYTES],
    ['announces fewer bytes than its pages hold', (pending: number) => Math.max(1, pending - MASK_CHUNK_BYTES)],
  ])('given a replica that %s, then the exchange fails and no output is released', async (_what, announce) => {
    const session = randomUUID();
    const replica = await pagingReplica(session, output(4), { announce });
    const stream = new MaskStream(nc, subjects.maskSession(session), 2_000);
    await expect(stream.end(Buffer.from('{}'))).rejects.toThrow(/pages did not add up/);
    await replica.nc.close();
  });

  it('given a count of bytes to come that is not a whole number, then the exchange fails', async () => {
    const session = randomUUID();
    const replica = await connect({ servers, name: 'fake-masking-replica' });
    replica.subscribe(subjects.maskSession(session), {
      callback: (_e, m) => {
        const h = natsHeaders();
        h.set(MaskHeaders.more, '1');
        h.set(MaskHeaders.pending, '12.5');
        m.respond(Buffer.from('{"ki'), { headers: h });
      },
    });
    await replica.flush();
    const stream = new MaskStream(nc, subjects.maskSession(session), 2_000);
    await expect(stream.end(Buffer.from('{}'))).rejects.toThrow('the masking service answered with an invalid count of bytes to come');
    await replica.close();
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}
