import { profileFor } from '@chaperone/masking';
import { MASK_CHUNK_BYTES } from '@chaperone/contracts';
import { MaskingFailed } from '@chaperone/masking';
import { maskJsonDocument } from './mask-document';
import { MaskSession, type SessionReply } from './mask-session';

const profile = profileFor('default');
const secret = (value: string) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's', namespace: 'default' },
  data: { password: Buffer.from(value).toString('base64') },
});

/** A session holding a Secret list of `n` items, fed whole. */
function fedSecretList(n: number): MaskSession {
  const items = Array.from({ length: n }, (_, i) => ({ ...secret(`value-${i}-xxxxxxxx`), metadata: { name: `s-${i}` } }));
  const session = new MaskSession('document', profile);
  session.data(Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'SecretList', items })));
  return session;
}

function drain(session: MaskSession, first: SessionReply | Promise<SessionReply>): Buffer {
  if (first instanceof Promise) throw new Error('expected an inline reply');
  const out = [first.output];
  let more = first.more;
  while (more) {
    const r = session.next();
    out.push(r.output);
    more = r.more;
  }
  return Buffer.concat(out);
}

describe('MaskSession', () => {
  it('given a document split anywhere, when ended, then the whole JSON is masked and nothing was released early', () => {
    const body = Buffer.from(JSON.stringify(secret('correct-horse-battery')));
    const session = new MaskSession('document', profile);
    for (let i = 0; i < body.length; i += 7) expect(session.data(body.subarray(i, i + 7)).output).toHaveLength(0);
    const out = drain(session, session.end()).toString();
    expect(out).not.toContain(Buffer.from('correct-horse-battery').toString('base64'));
    expect(JSON.parse(out)).toMatchObject({ kind: 'Secret', data: { password: expect.any(String) } });
    expect(session.report().count).toBeGreaterThan(0);
  });

  it('given a masked document larger than one chunk, then it is paged out whole', () => {
    const session = fedSecretList(8000);
    const first = session.end();
    if (first instanceof Promise) throw new Error('expected an inline reply');
    expect(first.output.length).toBeLessThanOrEqual(MASK_CHUNK_BYTES);
    const whole = drain(session, first);
    expect(whole.length).toBeGreaterThan(MASK_CHUNK_BYTES);
    expect((JSON.parse(whole.toString()) as { items: unknown[] }).items).toHaveLength(8000);
  });

  it('given a masked document paged out, then every page that says more says how many bytes are still held, and they add up', () => {
    const session = fedSecretList(20000);
    let reply = session.end();
    if (reply instanceof Promise) throw new Error('expected an inline reply');
    const first = reply;
    let sent = first.output.length;
    expect(first.pending).toBeGreaterThan(MASK_CHUNK_BYTES);
    while (reply.more) {
      expect(reply.report).toBeUndefined();
      const held = reply.pending as number;
      reply = session.next();
      sent += reply.output.length;
      expect(held - reply.output.length).toBe(reply.pending ?? 0);
    }
    expect(reply.pending).toBeUndefined();
    expect(reply.report?.count).toBe(20000);
    expect(sent).toBe(first.output.length + (first.pending as number));
  });

  it('given log lines with a token split across chunks and a multi-byte character split too, then lines come out masked as they complete', () => {
    const session = new MaskSession('lines', profile);
    const text = Buffer.from('héllo\ntoken=ghp_FAKEabcdefghijklmnopqrstuvwxyz0123456 ok\nbye\n');
    const out: string[] = [];
    for (let i = 0; i < text.length; i += 3) out.push(session.data(text.subarray(i, i + 3)).output.toString());
    out.push(drain(session, session.end()).toString());
    const joined = out.join('');
    expect(joined).toContain('héllo\n');
    expect(joined).not.toContain('ghp_FAKEabcdefghijklmnopqrstuvwxyz0123456');
    expect(joined.split('\n')).toHaveLength(4);
  });

  it('given a small document sent whole with end, then it is masked exactly as data followed by end', () => {
    const body = Buffer.from(JSON.stringify(secret('correct-horse-battery')));
    const oneExchange = new MaskSession('document', profile);
    const twoExchanges = new MaskSession('document', profile);
    twoExchanges.data(body);
    const out = drain(oneExchange, oneExchange.end(body)).toString();
    expect(out).toBe(drain(twoExchanges, twoExchanges.end()).toString());
    expect(out).not.toContain(Buffer.from('correct-horse-battery').toString('base64'));
    expect(oneExchange.report()).toEqual(twoExchanges.report());
  });

  it('given watch events whose last one arrives with end, then every event is masked and none is lost', () => {
    const events = [1, 2].map((i) => JSON.stringify({ type: 'ADDED', object: secret(`watch-secret-${i}`) }) + '\n').join('');
    const session = new MaskSession('watch', profile);
    const split = events.length - 10;
    const first = session.data(Buffer.from(events.slice(0, split))).output.toString();
    const rest = drain(session, session.end(Buffer.from(events.slice(split)))).toString();
    const lines = (first + rest).trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).not.toContain(Buffer.from('watch-secret').toString('base64').slice(0, 12));
  });

  it('given a custom resource with credential-named fields, then get, list and watch responses carry none of its credentials', () => {
    const cr = (name: string) => ({
      apiVersion: 'db.example.com/v1',
      kind: 'Database',
      metadata: { name, namespace: 'prod' },
      spec: { database: { host: 'pg', password: `cr-Pa55-${name}-x1`, secretName: 'db-tls' }, auth: { adminToken: `cr-T0k-${name}-x2` } },
    });
    const getSession = new MaskSession('document', profile);
    const get = drain(getSession, getSession.end(Buffer.from(JSON.stringify(cr('a'))))).toString();
    const listSession = new MaskSession('document', profile);
    const list = drain(listSession, listSession.end(Buffer.from(JSON.stringify({ kind: 'DatabaseList', apiVersion: 'db.example.com/v1', items: [cr('b'), cr('c')] })))).toString();
    const watchSession = new MaskSession('watch', profile);
    const watch = drain(watchSession, watchSession.end(Buffer.from(`${JSON.stringify({ type: 'ADDED', object: cr('d') })}\n`))).toString();
    for (const out of [get, list, watch]) {
      expect(out).not.toMatch(/cr-Pa55|cr-T0k/);
      expect(out).toContain('"secretName":"db-tls"');
    }
    expect(watchSession.report().detectors).toEqual({ 'credential-key': 2 });
  });

  it('given a document that is not JSON, then masking fails (the caller withholds the response)', () => {
    const session = new MaskSession('document', profile);
    session.data(Buffer.from('password=hunter2'));
    expect(() => session.end()).toThrow(/not JSON/);
  });

  it('given a document masker, when ended, then it gets the whole document once and its result is paged out with its report', async () => {
    const body = Buffer.from(JSON.stringify(secret('correct-horse-battery')));
    const calls: { bytes: string; profile: string }[] = [];
    const session = new MaskSession('document', profile, async (bytes, p) => {
      calls.push({ bytes: Buffer.from(bytes).toString(), profile: p.name });
      return maskJsonDocument(bytes, p);
    });
    session.data(body.subarray(0, 10));
    const pending = session.end(body.subarray(10));
    expect(pending).toBeInstanceOf(Promise);
    const reply = await pending;
    expect(calls).toEqual([{ bytes: body.toString(), profile: 'default' }]);
    const inline = new MaskSession('document', profile);
    expect(reply.output.toString()).toBe(drain(inline, inline.end(body)).toString());
    expect(reply.report).toEqual(inline.report());
  });

  it('given a document masker that fails, then end rejects with its MaskingFailed', async () => {
    const session = new MaskSession('document', profile, (bytes, p) => Promise.resolve().then(() => maskJsonDocument(bytes, p)));
    await expect(session.end(Buffer.from('password=hunter2'))).rejects.toEqual(new MaskingFailed('the response is not JSON'));
  });
});
