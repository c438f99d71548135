import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { kubeStatus, statusAsRawResponse, writeStatus } from './status';

describe('kubeStatus', () => {
  it('pairs each reason with the HTTP code the API server uses', () => {
    expect(kubeStatus('Forbidden', 'no').code).toBe(403);
    expect(kubeStatus('Unauthorized', 'no').code).toBe(401);
    expect(kubeStatus('ServiceUnavailable', 'no').code).toBe(503);
  });

  it('is a metav1.Status kubectl can decode', () => {
    expect(kubeStatus('BadRequest', 'bad path', { causes: [{ message: 'x' }] })).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'bad path',
      reason: 'BadRequest',
      code: 400,
      details: { causes: [{ message: 'x' }] },
    });
  });
});

describe('writeStatus', () => {
  it('writes the Status as JSON with its code and extra headers', async () => {
    const server = createServer((_req, res) => writeStatus(res, kubeStatus('TooManyRequests', 'slow down'), { 'retry-after': '5' }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const got = await new Promise<{ code: number; retry: string | undefined; body: string }>((resolve, reject) => {
      request({ port, host: '127.0.0.1', path: '/' }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, retry: res.headers['retry-after'], body }));
      })
        .on('error', reject)
        .end();
    });
    server.close();
    expect(got.code).toBe(429);
    expect(got.retry).toBe('5');
    expect(JSON.parse(got.body)).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', message: 'slow down' });
  });
});

describe('statusAsRawResponse', () => {
  it('is a complete HTTP/1.1 response with a correct content length', () => {
    const raw = statusAsRawResponse(kubeStatus('Forbidden', 'exec is not allowed: ü'));
    const [head, body] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body ?? '')}`);
    expect(JSON.parse(body ?? '')).toMatchObject({ code: 403 });
  });
});
