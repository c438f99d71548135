import { randomUUID } from 'node:crypto';
import { busSubjects, type Identity, type ResourceRequestInfo } from '@chaperone/contracts';
import type { Cleared, Intercepted, MaskingPlan } from '../context/request-context';
import { GatewayFailure } from '../errors/gateway-errors';
import { MaskAhead } from './mask-ahead';
import type { MaskingClient } from '../masking-client/masking-client';
import { DocumentMasking } from './document-masking';
import { OpenMasking } from './open-masking';
import { maskingBus, maskingReplica, type ReplicaStandIn } from './testing/masking-bus';

const identity: Identity = { subject: 'bot', username: 'bot', groups: ['agents'], agent: 'bot', issuer: 'https://test' };
/** A write: what it echoes back is masked through a stream opened before it is sent. */
const info: ResourceRequestInfo = {
  isResourceRequest: true,
  path: '/api/v1/namespaces/default/secrets',
  verb: 'create',
  apiPrefix: 'api',
  apiGroup: '',
  apiVersion: 'v1',
  namespace: 'default',
  resource: 'secrets',
  subresource: '',
  name: '',
  parts: ['secrets'],
};
/** A read: its answer is masked once it has arrived (in one request when it fits). */
const read: ResourceRequestInfo = { ...info, path: '/api/v1/namespaces/default/secrets/db', verb: 'get', name: 'db', parts: ['secrets', 'db'] };
const MASKED: MaskingPlan = { mode: 'document', profile: 'default' };

/**
 * Opening masking ahead of the decision, against the real NATS with a masking replica stand-in:
 * when it opens, which stream the plan takes, and what is closed unused.
 */
describe('masking opened while policy decides (real NATS)', () => {
  jest.setTimeout(20_000);
  const bus = maskingBus('mask-ahead-int');
  const { subjects } = bus;
  let client: MaskingClient;
  beforeAll(() => {
    client = bus.client();
  });

  const replica = (): Promise<ReplicaStandIn> => maskingReplica(bus);

  const intercepted = (requestId: string, of: ResourceRequestInfo = info): Intercepted =>
    ({ stage: 'intercepted', exchange: { kind: 'http', req: { headers: {} } }, requestId, refs: { identity }, info: of }) as unknown as Intercepted;
  const cleared = (ctx: Intercepted, plan: MaskingPlan | undefined): Cleared =>
    ({ ...ctx, stage: 'cleared', decision: { effect: 'allow' }, maskingPlan: plan, approvalId: undefined, body: undefined }) as unknown as Cleared;
  const until = async (condition: () => boolean): Promise<void> => {
    for (let i = 0; i < 100 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  };
  /** A replica, the two stages, and one request of the kind already decided and masked (its open is `before`). */
  async function givenMaskedBefore(): Promise<{ r: ReplicaStandIn; ahead: MaskAhead; open: OpenMasking }> {
    const r = await replica();
    const ahead = new MaskAhead(client);
    const open = new OpenMasking(client);
    ahead.settle(await open.run(cleared(ahead.run(intercepted('before')), MASKED)));
    return { r, ahead, open };
  }

  it('given no decision yet on this kind of request, then nothing opens ahead; given it was masked, then the next opens ahead and the plan takes that stream', async () => {
    const r = await replica();
    const ahead = new MaskAhead(client);
    const open = new OpenMasking(client);
    const first = ahead.run(intercepted('first'));
    expect(first.maskingAhead).toBeUndefined();
    const firstPrepared = await open.run(cleared(first, MASKED));
    ahead.settle(firstPrepared);
    expect(r.opens).toEqual(['first']);

    const second = ahead.run(intercepted('second'));
    expect(second.maskingAhead).toBeDefined();
    await until(() => r.opens.length === 2); // opened before any decision exists
    expect(r.opens).toEqual(['first', 'second']);
    const prepared = await open.run(cleared(second, MASKED));
    ahead.settle(prepared);
    expect(prepared.masking?.stream).toBeDefined();
    expect(r.opens).toEqual(['first', 'second']); // the plan took the stream opened ahead: no second open
    expect(r.closes).toBe(0);
  });

  it('given the decision lets the response through unmasked, then the stream opened ahead is closed unused, and the next request opens nothing ahead', async () => {
    const { r, ahead, open } = await givenMaskedBefore();
    const raw = ahead.run(intercepted('raw'));
    expect(raw.maskingAhead).toBeDefined();
    const prepared = await open.run(cleared(raw, undefined));
    ahead.settle(prepared);
    expect(prepared.masking).toBeUndefined();
    await until(() => r.closes === 1);
    expect(r.closes).toBe(1);
    expect(ahead.run(intercepted('after')).maskingAhead).toBeUndefined();
  });

  it('given another profile is planned, then the stream opened ahead is closed and one for the plan is opened', async () => {
    const { r, ahead, open } = await givenMaskedBefore();
    const strict = ahead.run(intercepted('strict'));
    await open.run(cleared(strict, { mode: 'document', profile: 'strict' }));
    await until(() => r.closes === 1);
    expect(r.opens).toEqual(['before', 'strict', 'strict']);
    expect(r.closes).toBe(1);
  });

  it('given the open made ahead failed (no masking replica), when the plan takes it, then the request is refused before anything is sent', async () => {
    const { r, ahead, open } = await givenMaskedBefore();
    await r.nc.close();
    // The server drops the closed replica's subscription on its own time: until then an open would
    // still be routed to it (and time out). Wait until the server says nobody listens.
    for (let i = 0; i < 50; i++) {
      const answer = await bus.nc.request(subjects.maskOpen, new Uint8Array(), { timeout: 200 }).catch((e: unknown) => e);
      if ((answer as { code?: string }).code === '503') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const ctx = ahead.run(intercepted('down'));
    expect(ctx.maskingAhead).toBeDefined();
    const failure = await open.run(cleared(ctx, MASKED)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GatewayFailure);
    expect((failure as GatewayFailure).error).toMatchObject({ kind: 'masking-unavailable', forwarded: false, message: 'no masking service is running' });
  });

  describe('a get or list: its answer is masked once it has arrived', () => {
    // A client of its own: one that found no masking service moments ago (above) opens first.
    let client: MaskingClient;
    beforeEach(() => {
      client = bus.client();
    });

    it('given a get, then nothing is opened before it is sent; given its document fit in one request, then the next get opens nothing ahead either', async () => {
      const r = await replica();
      const ahead = new MaskAhead(client);
      const open = new OpenMasking(client);
      const prepared = await open.run(cleared(ahead.run(intercepted('get-1', read)), MASKED));
      expect(r.opens).toEqual([]);
      expect(prepared.masking?.stream).toBeInstanceOf(DocumentMasking);
      await expect(prepared.masking?.stream.end(Buffer.from('{"kind":"Secret"}'))).resolves.toEqual(Buffer.from('masked-document'));
      ahead.settle(prepared);
      expect(r.documents).toEqual(['default:17']);
      expect(ahead.run(intercepted('get-2', read)).maskingAhead).toBeUndefined();
      expect(r.opens).toEqual([]);
    });

    it('given a get whose document was fed in batches (a large list), then the next get opens a stream ahead and masks through it; once one fits in a request again, the hint is dropped', async () => {
      const r = await replica();
      const ahead = new MaskAhead(client);
      const open = new OpenMasking(client);
      const large = await open.run(cleared(ahead.run(intercepted('large', read)), MASKED));
      await large.masking?.stream.feed(Buffer.alloc(100));
      await large.masking?.stream.end(Buffer.from('{}'));
      ahead.settle(large);
      expect(r.opens).toEqual(['large']);

      const next = ahead.run(intercepted('next', read));
      expect(next.maskingAhead).toBeDefined();
      await until(() => r.opens.length === 2);
      const prepared = await open.run(cleared(next, MASKED));
      await prepared.masking?.stream.end(Buffer.from('{}'));
      ahead.settle(prepared);
      expect(r.opens).toEqual(['large', 'next']);
      expect(r.documents).toEqual([]);
      expect(ahead.run(intercepted('small-again', read)).maskingAhead).toBeUndefined();
    });

    it('given a request just found no masking service, when a get is prepared, then it is refused before it is sent', async () => {
      const absent = bus.client(busSubjects(`mask-absent-${randomUUID().slice(0, 8)}`));
      const open = new OpenMasking(absent);
      const first = await open.run(cleared(intercepted('first', read), MASKED));
      await expect(first.masking?.stream.end(Buffer.from('{}'))).rejects.toThrow('no masking service is running');
      const failure = await open.run(cleared(intercepted('second', read), MASKED)).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(GatewayFailure);
      expect((failure as GatewayFailure).error).toMatchObject({ kind: 'masking-unavailable', forwarded: false, message: 'no masking service is running' });
    });
  });
});
