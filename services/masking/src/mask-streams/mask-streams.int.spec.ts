import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { connect, headers as natsHeaders, type NatsConnection } from 'nats';
import { requestJson } from '@chaperone/bus';
import { busSubjects, MASK_ALIVE_OP, MASK_CLOSE_OP, MaskHeaders, type MaskOpenReply } from '@chaperone/contracts';
import { MaskWorkerPool } from './mask-pool';
import { startMaskingApp } from '../testing/masking-app';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];
const subjects = busSubjects(`mask-int-${randomUUID().slice(0, 8)}`);

describe('masking streams over real NATS', () => {
  let app: INestApplication;
  let nc: NatsConnection;

  beforeAll(async () => {
    app = await startMaskingApp(servers, subjects.prefix, 256 * 1024);
    nc = await connect({ servers });
  });

  afterAll(async () => {
    await nc.drain();
    await app.close();
  });

  /** A document stream opened on the service, as the ingress opens one. */
  async function openDocument(requestId: string): Promise<MaskOpenReply> {
    return (await requestJson(nc, subjects.maskOpen, { schemaVersion: 1, requestId, mode: 'document', profile: 'default' }, 5000)) as MaskOpenReply;
  }

  async function exchange(session: string, op: string, body: Uint8Array) {
    const h = natsHeaders();
    h.set(MaskHeaders.op, op);
    return nc.request(subjects.maskSession(session), body, { timeout: 5000, headers: h });
  }

  it('answers `alive` on a stream at once, with nothing, and leaves the stream as it was', async () => {
    const open = await openDocument('alive');
    const alive = await exchange(open.session, MASK_ALIVE_OP, new Uint8Array());
    expect(alive.data.length).toBe(0);
    expect(alive.headers?.get(MaskHeaders.error) ?? '').toBe('');
    const secret = Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { password: Buffer.from('alive-value').toString('base64') } }));
    const reply = await exchange(open.session, 'end', secret);
    expect(reply.headers?.get(MaskHeaders.error) ?? '').toBe('');
    expect(Buffer.from(reply.data).toString()).not.toContain(Buffer.from('alive-value').toString('base64'));
  });

  it('drops a stream at `close` (no reply): nobody answers on its subject afterwards', async () => {
    const open = await openDocument('closed');
    expect((await exchange(open.session, MASK_ALIVE_OP, new Uint8Array())).data.length).toBe(0);
    const h = natsHeaders();
    h.set(MaskHeaders.op, MASK_CLOSE_OP);
    nc.publish(subjects.maskSession(open.session), new Uint8Array(), { headers: h });
    // The replica unsubscribes once it has taken `close`: from then on nobody answers the subject.
    let code = '';
    for (let i = 0; i < 50 && code !== '503'; i++) {
      const alive = natsHeaders();
      alive.set(MaskHeaders.op, MASK_ALIVE_OP);
      code = await nc.request(subjects.maskSession(open.session), new Uint8Array(), { timeout: 200, headers: alive }).then(
        () => 'answered',
        (e: { code?: string }) => e.code ?? 'error',
      );
    }
    expect(code).toBe('503');
  });

  it('masks a 3 MB secret list sent in chunks and pages the result back', async () => {
    const items = Array.from({ length: 12_000 }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `s-${i}`, namespace: 'default' },
      data: { password: Buffer.from(`planted-${i}-value`).toString('base64') },
    }));
    const body = Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'SecretList', items }));
    expect(body.length).toBeGreaterThan(1_000_000);
    const open = await openDocument('r');
    for (let i = 0; i < body.length; i += 256 * 1024) await exchange(open.session, 'data', body.subarray(i, i + 256 * 1024));
    const out: Buffer[] = [];
    let reply = await exchange(open.session, 'end', new Uint8Array());
    out.push(Buffer.from(reply.data));
    while (reply.headers?.get(MaskHeaders.more) === '1') {
      reply = await exchange(open.session, 'next', new Uint8Array());
      out.push(Buffer.from(reply.data));
    }
    const masked = Buffer.concat(out).toString();
    expect(masked).not.toContain(Buffer.from('planted-1-value').toString('base64'));
    expect((JSON.parse(masked) as { items: unknown[] }).items).toHaveLength(12_000);
    const report = JSON.parse(reply.headers?.get(MaskHeaders.report) ?? '{}') as { count: number };
    expect(report.count).toBeGreaterThanOrEqual(12_000);
    expect(JSON.stringify(report)).not.toContain('planted');
  });

  it('a session answers the very first exchange sent the moment open replies (muxed client, small body sent with end)', async () => {
    // The first exchange follows the open reply at once: the server must already hold the stream's
    // subscription (the reply and the SUB leave on the same connection, in that order).
    const secret = Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { password: Buffer.from('first-exchange-value').toString('base64') } }));
    for (let i = 0; i < 50; i++) {
      const open = await openDocument(`r${i}`);
      const reply = await exchange(open.session, 'end', secret);
      expect(reply.headers?.get(MaskHeaders.error) ?? '').toBe('');
      expect(Buffer.from(reply.data).toString()).not.toContain(Buffer.from('first-exchange-value').toString('base64'));
      expect(JSON.parse(Buffer.from(reply.data).toString())).toMatchObject({ kind: 'Secret' });
    }
  });

  it('refuses an unknown profile and answers an error for a broken stream', async () => {
    await expect(requestJson(nc, subjects.maskOpen, { schemaVersion: 1, requestId: 'r', mode: 'document', profile: 'nope' }, 5000)).rejects.toThrow('unknown masking profile "nope"');
    await expect(requestJson(nc, subjects.maskOpen, { schemaVersion: 1, requestId: 'r', mode: 'sideways', profile: 'default' }, 5000)).rejects.toThrow(/MaskOpen/);
    const open = await openDocument('r');
    await exchange(open.session, 'data', Buffer.from('not json'));
    const reply = await exchange(open.session, 'end', new Uint8Array());
    expect(reply.headers?.get(MaskHeaders.error)).toContain('not JSON');
  });

  it('a small masked read on the same replica is answered while a large document is masked (no head-of-line blocking)', async () => {
    // Every item has a string the detectors must scan in full, so the document stays in the worker
    // for a while however fast the engine gets.
    const items = Array.from({ length: 60_000 }, (_, i) => ({
      metadata: { name: `big-${i}`, namespace: 'default', annotations: { note: `rotated, retry with password=big-${i} at https://db:5432` } },
      data: { password: Buffer.from(`big-planted-${i}-value`).toString('base64') },
    }));
    const big = Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'SecretList', items }));
    expect(big.length).toBeGreaterThan(6_000_000);
    const pool = app.get(MaskWorkerPool);
    // The moment the service hands the big document over (inline masking would run right here,
    // holding the event loop, which this test shares with the service).
    const original = pool.mask.bind(pool);
    let started!: () => void;
    const bigStarted = new Promise<void>((resolve) => (started = resolve));
    const spy = jest.spyOn(pool, 'mask').mockImplementation((bytes, profile) => {
      if (bytes.byteLength >= big.length) started();
      return original(bytes, profile);
    });
    try {
      const order: string[] = [];
      const bigOpen = await openDocument('big');
      for (let i = 0; i < big.length; i += 512 * 1024) await exchange(bigOpen.session, 'data', big.subarray(i, i + 512 * 1024));
      const bigDone = exchange(bigOpen.session, 'end', new Uint8Array()).then((reply) => {
        order.push('big');
        return reply;
      });
      await bigStarted;
      const small = Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { password: Buffer.from('small-planted-value').toString('base64') } }));
      const smallOpen = await openDocument('small');
      const smallReply = await exchange(smallOpen.session, 'end', small);
      order.push('small');
      expect(JSON.parse(Buffer.from(smallReply.data).toString())).toMatchObject({ kind: 'Secret', data: { password: expect.not.stringContaining('c21hbGwtcGxhbnRlZC') } });
      const bigReply = await bigDone;
      expect(bigReply.headers?.get(MaskHeaders.error) ?? '').toBe('');
      expect(order).toEqual(['small', 'big']);
      // Paged out: each page that says more says how much is still held, so the ingress can ask for the rest at once.
      let reply = bigReply;
      let received = reply.data.length;
      expect(reply.headers?.get(MaskHeaders.more)).toBe('1');
      const announced = received + Number(reply.headers?.get(MaskHeaders.pending));
      while (reply.headers?.get(MaskHeaders.more) === '1') {
        reply = await exchange(bigOpen.session, 'next', new Uint8Array());
        received += reply.data.length;
      }
      expect(received).toBe(announced);
      expect(reply.headers?.get(MaskHeaders.pending)).toBe('');
    } finally {
      spy.mockRestore();
    }
  }, 30_000); // 6 MB through NATS in 512 KiB exchanges, on a shared machine

  it('a large document that is not JSON fails closed from the worker with the same error as inline', async () => {
    const pool = app.get(MaskWorkerPool);
    const before = pool.offloaded;
    const open = await openDocument('r');
    await exchange(open.session, 'data', Buffer.from(`password=hunter2 ${'x'.repeat(400 * 1024)}`));
    const reply = await exchange(open.session, 'end', new Uint8Array());
    expect(pool.offloaded).toBe(before + 1);
    expect(reply.headers?.get(MaskHeaders.error)).toBe('the response is not JSON');
    expect(reply.data).toHaveLength(0);
  });
});

describe('masking streams: shutdown while a document is in a worker', () => {
  it('the in-flight request fails closed (error or no reply), and closing the service does not throw', async () => {
    const own = busSubjects(`mask-int-${randomUUID().slice(0, 8)}`);
    const app = await startMaskingApp(servers, own.prefix, 1024);
    const nc = await connect({ servers });
    try {
      const pool = app.get(MaskWorkerPool);
      const original = pool.mask.bind(pool);
      let started!: () => void;
      const inWorker = new Promise<void>((resolve) => (started = resolve));
      jest.spyOn(pool, 'mask').mockImplementation((bytes, profile) => {
        const job = original(bytes, profile);
        started();
        return job;
      });
      const items = Array.from({ length: 40_000 }, (_, i) => ({ metadata: { name: `x-${i}` }, data: { password: Buffer.from(`shutdown-planted-${i}`).toString('base64') } }));
      const body = Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'SecretList', items }));
      const open = (await requestJson(nc, own.maskOpen, { schemaVersion: 1, requestId: 'r', mode: 'document', profile: 'default' }, 5000)) as MaskOpenReply;
      const h = natsHeaders();
      h.set(MaskHeaders.op, 'data');
      for (let i = 0; i < body.length; i += 512 * 1024) await nc.request(own.maskSession(open.session), body.subarray(i, i + 512 * 1024), { timeout: 5000, headers: h });
      const end = natsHeaders();
      end.set(MaskHeaders.op, 'end');
      const outcome = nc.request(own.maskSession(open.session), new Uint8Array(), { timeout: 3000, headers: end }).then(
        (reply) => ({ error: reply.headers?.get(MaskHeaders.error) ?? '', bytes: reply.data.length }),
        (e: unknown) => ({ error: e instanceof Error ? e.message : 'failed', bytes: 0 }),
      );
      await inWorker;
      await expect(app.close()).resolves.toBeUndefined();
      const result = await outcome;
      // Never the masked (or unmasked) document: an error header, or no reply at all.
      expect(result.bytes).toBe(0);
      expect(result.error).not.toBe('');
      expect(pool.size).toBe(0);
    } finally {
      await nc.drain();
    }
  });
});
