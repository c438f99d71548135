import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { connect, headers as natsHeaders, type Msg, type NatsConnection } from 'nats';
import { busSubjects, MASK_DOCUMENT_MAX_BYTES, MaskHeaders, MaskReportSchema } from '@chaperone/contracts';
import { startMaskingApp } from '../testing/masking-app';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];
const subjects = busSubjects(`mask-doc-int-${randomUUID().slice(0, 8)}`);
const SECRET_VALUE = 'one-request-secret-value';

const secretDocument = (value = SECRET_VALUE): Buffer =>
  Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, data: { password: Buffer.from(value).toString('base64') } }));

describe('masking a small document in one request (real NATS, the masking service)', () => {
  let app: INestApplication;
  let nc: NatsConnection;

  beforeAll(async () => {
    app = await startMaskingApp(servers, subjects.prefix, 64 * 1024);
    nc = await connect({ servers });
  });

  afterAll(async () => {
    await nc.drain();
    await app.close();
  });

  function maskDocument(body: Uint8Array, profile?: string): Promise<Msg> {
    const h = natsHeaders();
    if (profile !== undefined) h.set(MaskHeaders.profile, profile);
    return nc.request(subjects.maskDocument, body, { timeout: 5000, headers: h });
  }

  it('given a secret, when masked in one request, then the reply is the masked document and its report, never the value', async () => {
    const reply = await maskDocument(secretDocument(), 'default');
    expect(reply.headers?.get(MaskHeaders.error) ?? '').toBe('');
    const out = Buffer.from(reply.data).toString();
    expect(JSON.parse(out)).toMatchObject({ kind: 'Secret', metadata: { name: 'db' } });
    expect(out).not.toContain(Buffer.from(SECRET_VALUE).toString('base64'));
    const report = MaskReportSchema.parse(JSON.parse(reply.headers?.get(MaskHeaders.report) ?? 'null'));
    expect(report.count).toBe(1);
    expect(report.paths).toEqual(['data.password']);
    expect(JSON.stringify(report)).not.toContain(SECRET_VALUE);
  });

  it('given a document the worker threads take (over their threshold), then it is masked the same way', async () => {
    const items = Array.from({ length: 600 }, (_, i) => JSON.parse(secretDocument(`value-${i}-${SECRET_VALUE}`).toString()) as object);
    const list = Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'SecretList', items }));
    expect(list.length).toBeGreaterThan(64 * 1024);
    expect(list.length).toBeLessThanOrEqual(MASK_DOCUMENT_MAX_BYTES);
    const reply = await maskDocument(list, 'default');
    expect(reply.headers?.get(MaskHeaders.error) ?? '').toBe('');
    expect((JSON.parse(Buffer.from(reply.data).toString()) as { items: unknown[] }).items).toHaveLength(600);
    expect(Buffer.from(reply.data).toString()).not.toContain(Buffer.from(`value-7-${SECRET_VALUE}`).toString('base64'));
    expect(MaskReportSchema.parse(JSON.parse(reply.headers?.get(MaskHeaders.report) ?? 'null')).count).toBe(600);
  });

  it.each([
    ['names no profile', secretDocument(), undefined, 'names no masking profile'],
    ['names an unknown profile', secretDocument(), 'lenient', 'unknown masking profile "lenient"'],
    ['is not JSON (the bytes are not echoed)', Buffer.from(`password=${SECRET_VALUE}`), 'default', 'not JSON'],
    ['is larger than one request takes', Buffer.alloc(MASK_DOCUMENT_MAX_BYTES + 1, 0x20), 'default', `at most ${MASK_DOCUMENT_MAX_BYTES} bytes`],
  ])('given a request that %s, then it is answered with an error and no body', async (_what, body, profile, message) => {
    const reply = await maskDocument(body, profile);
    expect(reply.data.length).toBe(0);
    expect(reply.headers?.get(MaskHeaders.error)).toContain(message);
    expect(reply.headers?.get(MaskHeaders.error)).not.toContain(SECRET_VALUE);
    expect(reply.headers?.get(MaskHeaders.report) ?? '').toBe('');
  });
});
