import { randomUUID } from 'node:crypto';
import { busSubjects, MASK_DOCUMENT_MAX_BYTES } from '@chaperone/contracts';
import { MaskingUnavailable, type MaskingClient } from '../masking-client/masking-client';
import { DocumentMasking } from './document-masking';
import { maskingBus, maskingReplica, STAND_IN_REPORT, type DocumentAnswer, type ReplicaStandIn } from './testing/masking-bus';
/**
 * A get or list's answer masked on arrival, against the real NATS with a masking replica stand-in
 * that answers as the masking service does: which exchanges a document of each size costs, and what
 * the agent would be told when masking is not there.
 */
describe('masking a document on arrival (real NATS)', () => {
  jest.setTimeout(20_000);
  const bus = maskingBus('doc-mask-int');
  let client: MaskingClient;
  beforeAll(() => {
    client = bus.client();
  });

  const replica = (answer?: DocumentAnswer): Promise<ReplicaStandIn> => maskingReplica(bus, answer);

  it('given a document that fits in one request, when it ends, then it is masked in that one exchange: no stream is opened', async () => {
    const r = await replica();
    const masking = new DocumentMasking(client, 'small', 'strict');
    await expect(masking.end(Buffer.from('{"kind":"Secret"}'))).resolves.toEqual(Buffer.from('masked-document'));
    expect(masking.report).toEqual(STAND_IN_REPORT);
    expect(masking.fed).toBe(false);
    expect(r.documents).toEqual(['strict:17']);
    expect(r.opens).toEqual([]);
  });

  it('given a document fed in batches, then its first batch opens a stream, the rest and the end go through it, and it counts as fed', async () => {
    const r = await replica();
    const masking = new DocumentMasking(client, 'large', 'default');
    await masking.feed(Buffer.alloc(300));
    await masking.feed(Buffer.alloc(200));
    await expect(masking.end(Buffer.from('{}'))).resolves.toEqual(Buffer.from('masked-stream'));
    expect(masking.report).toEqual(STAND_IN_REPORT);
    expect(masking.fed).toBe(true);
    expect(r.modes).toEqual(['document']);
    expect(r.ops).toEqual(['data:300', 'data:200', 'end:2']);
    expect(r.documents).toEqual([]);
  });

  it('given a last batch larger than one request takes (nothing fed before), then it goes through a stream', async () => {
    const r = await replica();
    const masking = new DocumentMasking(client, 'one-large-batch', 'default');
    await expect(masking.end(Buffer.alloc(MASK_DOCUMENT_MAX_BYTES + 1))).resolves.toEqual(Buffer.from('masked-stream'));
    expect(r.modes).toEqual(['document']);
    expect(r.documents).toEqual([]);
  });

  it('given a stream opened ahead, then even a small document uses it (the replica already holds it)', async () => {
    const r = await replica();
    const masking = new DocumentMasking(client, 'ahead', 'default', await client.open('ahead', 'document', 'default'));
    await expect(masking.end(Buffer.from('{}'))).resolves.toEqual(Buffer.from('masked-stream'));
    expect(r.modes).toEqual(['document']);
    expect(r.ops).toEqual(['end:2']);
    expect(r.documents).toEqual([]);
  });

  it.each([
    ['refuses it', { error: 'the response is not JSON' }, 'masking failed: the response is not JSON'],
    ['answers without a report', {}, 'the masking service answered without a valid report'],
    ['answers with a report that breaks the contract', { report: '{"count":-1}' }, 'the masking service answered without a valid report'],
  ])('given the replica %s, then the document is not released: MaskingUnavailable says why', async (_what, answer, message) => {
    await replica(() => answer);
    const masking = new DocumentMasking(client, 'refused', 'default');
    const failure = await masking.end(Buffer.from('{}')).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(MaskingUnavailable);
    expect((failure as Error).message).toBe(message);
    expect(masking.report).toBeUndefined();
  });

  it('given no masking replica, then the document fails at once saying so, and for a while the client says masking is absent', async () => {
    const absent = bus.client(busSubjects(`doc-mask-none-${randomUUID().slice(0, 8)}`));
    expect(absent.recentlyAbsent()).toBe(false);
    const started = Date.now();
    await expect(new DocumentMasking(absent, 'none', 'default').end(Buffer.from('{}'))).rejects.toThrow('no masking service is running');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(absent.recentlyAbsent()).toBe(true);
    expect(absent.recentlyAbsent(Date.now() + 60_000)).toBe(false);
  });
});
