import { connect as tlsConnect } from 'node:tls';
import type { JetStreamManager } from 'nats';
import type { ChaperoneEvent } from '@chaperone/contracts';
import { policyWith } from './support/policies';
import { E2EStack } from './support/e2e-stack';

/**
 * Bad input gets a clear answer (a Kubernetes Status with the right code), no ambiguous identity
 * passes, and a response is released only once its completion is evidence.
 */
const POLICY = policyWith(`
  - name: agents-read-default
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["get", "list", "create"]
    apiGroups: [""]
    resources: ["pods", "configmaps"]
    namespaces: ["default"]
  - name: no-secrets-writes
    effect: deny
    subjects: { groups: ["agents"] }
    verbs: ["create", "update"]
    apiGroups: [""]
    resources: ["secrets"]
    reason: agents may not write secrets
`);

const s = new E2EStack();
let token = '';

beforeAll(async () => {
  await s.start(POLICY);
  token = await s.agentToken('hardening-bot');
}, 90_000);

afterAll(async () => {
  await s.stop();
});

/** Sends raw bytes over TLS and returns the status code and the parsed Status body (if any). */
function raw(request: Buffer | string, opts: { body?: Buffer } = {}): Promise<{ code: number; status: Record<string, unknown> | undefined; text: string }> {
  const { hostname, port } = new URL(s.ingressUrl);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: hostname, port: Number(port), ca: s.ingressCaPem(), servername: 'localhost' }, () => {
      socket.write(request);
      if (opts.body) socket.write(opts.body, () => undefined);
    });
    let data = Buffer.alloc(0);
    const finish = () => {
      const text = data.toString('latin1');
      const code = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const bodyStart = text.indexOf('\r\n\r\n');
      let status: Record<string, unknown> | undefined;
      try {
        status = JSON.parse(text.slice(bodyStart + 4)) as Record<string, unknown>;
      } catch {
        status = undefined;
      }
      resolve({ code, status, text });
    };
    socket.on('data', (c: Buffer) => {
      data = Buffer.concat([data, c]);
      const text = data.toString('latin1');
      const head = text.indexOf('\r\n\r\n');
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(text.slice(0, head))?.[1] ?? NaN);
      if (head >= 0 && data.length >= head + 4 + length) {
        socket.destroy();
        finish();
      }
    });
    socket.on('close', finish);
    socket.on('error', (e) => (data.length > 0 ? finish() : reject(e)));
    socket.setTimeout(15_000, () => socket.destroy(new Error('no answer in 15 s')));
  });
}

const get = (path: string, headers: string[] = []) =>
  [`GET ${path} HTTP/1.1`, 'Host: localhost', `Authorization: Bearer ${token}`, ...headers, '', ''].join('\r\n');

describe('malformed requests get a Status, not a dropped connection', () => {
  it.each([
    ['a 64 KB header', () => get('/api/v1/namespaces/default/pods', [`X-Filler: ${'a'.repeat(64 * 1024)}`]), 431],
    ['a 100 KB token', () => ['GET /api/v1/pods HTTP/1.1', 'Host: localhost', `Authorization: Bearer ${'t'.repeat(100 * 1024)}`, '', ''].join('\r\n'), 431],
    ['a 40 KB path', () => `GET /api/v1/namespaces/default/pods/${'p'.repeat(40 * 1024)} HTTP/1.1\r\nHost: localhost\r\n\r\n`, 414],
    ['Content-Length with Transfer-Encoding', () => 'POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400],
    ['two different Content-Lengths', () => 'POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde', 400],
    ['an obs-fold header', () => `GET /api/v1/pods HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\nX-Folded: a\r\n b\r\n\r\n`, 400],
  ])('%s gets its Status', async (_what, request, code) => {
    const r = await raw(request());
    expect(r.code).toBe(code);
    expect(r.status).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code });
    expect(r.text).not.toContain(token);
  });

  it('an 8 MB body is refused with 413 before it is read', async () => {
    const r = await raw(
      ['POST /api/v1/namespaces/default/secrets HTTP/1.1', 'Host: localhost', `Authorization: Bearer ${token}`, 'Content-Type: application/json', `Content-Length: ${8 * 1024 * 1024}`, '', ''].join('\r\n'),
      { body: Buffer.alloc(8 * 1024 * 1024, 0x20) },
    );
    expect(r.code).toBe(413);
    expect(r.status).toMatchObject({ reason: 'RequestEntityTooLarge' });
  });

  it('a 1 MB body on a denied route gets the 403 Status, and the cluster sees nothing', async () => {
    s.apiserver.clearRequests();
    const body = Buffer.alloc(1024 * 1024, 0x20);
    const r = await raw(
      ['POST /api/v1/namespaces/default/secrets HTTP/1.1', 'Host: localhost', `Authorization: Bearer ${token}`, 'Content-Type: application/json', `Content-Length: ${body.length}`, '', ''].join('\r\n'),
      { body },
    );
    expect(r.code).toBe(403);
    expect(r.status).toMatchObject({ reason: 'Forbidden', message: expect.stringContaining('agents may not write secrets') });
    expect(s.apiserver.requests).toHaveLength(0);
  });
});

describe('one identity per request', () => {
  it('two Authorization headers are refused, even when both carry the same valid token', async () => {
    s.apiserver.clearRequests();
    const r = await raw(get('/api/v1/namespaces/default/pods', [`Authorization: Bearer ${token}`]));
    expect(r.code).toBe(400);
    expect(r.status?.['message']).toContain('Authorization headers');
    expect(s.apiserver.requests).toHaveLength(0);
  });

  it.each([['X-Remote-User: system:admin'], ['X-Remote-Group: system:masters'], ['X-Remote-Extra-Scopes: all']])('a front-proxy identity header (%s) is refused', async (header) => {
    s.apiserver.clearRequests();
    const r = await raw(get('/api/v1/namespaces/default/pods', [header]));
    expect(r.code).toBe(400);
    expect(s.apiserver.requests).toHaveLength(0);
  });

  it('impersonation (kubectl --as) is refused with a 403 Status that says why', async () => {
    s.apiserver.clearRequests();
    const r = await s.kubectl(s.kubeconfig(token), ['get', 'pods', '--as', 'system:admin']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Forbidden');
    const direct = await raw(get('/api/v1/namespaces/default/pods', ['Impersonate-User: system:admin']));
    expect(direct.code).toBe(403);
    expect(direct.status?.['message']).toContain('impersonate-user header is not allowed');
    expect(s.apiserver.requests).toHaveLength(0);
  });
});

describe('no response is released before its completion is evidence', () => {
  it('with the audit service stopped, a GET that kubectl saw succeed has its RequestCompleted waiting on the bus', async () => {
    await s.stopService('audit');
    try {
      const r = await s.kubectl(s.kubeconfig(token), ['get', 'pods', '-v=8']);
      expect(r.code).toBe(0);
      const requestId = /x-chaperone-request-id: ([0-9a-f-]{36})/i.exec(r.stderr)?.[1] ?? '';
      expect(requestId).not.toBe('');
      // Read straight from the events stream (nothing consumes it while audit is down).
      const stored = await eventsOnStream(await s.nc.jetstreamManager());
      expect(stored.filter((e) => e.requestId === requestId).map((e) => e.type)).toEqual(expect.arrayContaining(['RequestIntercepted', 'PolicyDecided', 'RequestCompleted']));
    } finally {
      await s.startService('audit');
    }
  });
});

async function eventsOnStream(jsm: JetStreamManager): Promise<ChaperoneEvent[]> {
  const info = await jsm.streams.info(s.subjects.eventsStream);
  const out: ChaperoneEvent[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    try {
      const m = await jsm.streams.getMessage(s.subjects.eventsStream, { seq });
      const parsed = JSON.parse(new TextDecoder().decode(m.data)) as ChaperoneEvent | ChaperoneEvent[];
      out.push(...(Array.isArray(parsed) ? parsed : [parsed]));
    } catch {
      // A gap: a message already consumed.
    }
  }
  return out;
}

describe('a service that took a request and died fails fast', () => {
  it('a masking replica that never answers a read\'s document: 503 naming it within the open timeout, not the exchange timeout; the answer withheld', async () => {
    await s.stopService('masking');
    // A replica that takes every document and never answers (as one killed mid-request does).
    const blackHole = s.nc.subscribe(s.subjects.maskDocument, { queue: s.subjects.queue('masking'), callback: () => undefined });
    try {
      s.apiserver.clearRequests();
      const started = Date.now();
      const r = await s.kubectl(s.kubeconfig(token), ['get', 'configmap', 'web-config', '-o', 'yaml']);
      const elapsed = Date.now() - started;
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('the masking service took the response but did not answer');
      expect(r.stderr).toContain('so it was withheld');
      expect(r.stdout).not.toContain('web-config');
      // The open timeout (2 s by default), far below the 30 s exchange timeout.
      expect(elapsed).toBeLessThan(20_000);
      // A read is masked once its answer is in: the cluster answered it, the agent got none of it.
      expect(s.apiserver.requests.filter((q) => q.url.includes('/configmaps/web-config')).length).toBeGreaterThan(0);
    } finally {
      blackHole.unsubscribe();
      await s.startService('masking');
    }
  });

  it('a masking replica that never answers an open: a write is refused within the open timeout, not the exchange timeout; nothing sent', async () => {
    await s.stopService('masking');
    // A replica that takes every open and never answers.
    const blackHole = s.nc.subscribe(s.subjects.maskOpen, { queue: s.subjects.queue('masking'), callback: () => undefined });
    try {
      s.apiserver.clearRequests();
      const started = Date.now();
      // What a write echoes back is masked through a stream opened before the write is sent.
      const r = await s.kubectl(s.kubeconfig(token), ['create', 'configmap', 'never-sent', '--from-literal=a=b']);
      const elapsed = Date.now() - started;
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('took the request but did not answer');
      expect(r.stderr).toContain('the request was not sent');
      expect(elapsed).toBeLessThan(20_000);
      expect(s.apiserver.requests.filter((q) => q.url.includes('/configmaps'))).toHaveLength(0);
    } finally {
      blackHole.unsubscribe();
      await s.startService('masking');
    }
  });
});
