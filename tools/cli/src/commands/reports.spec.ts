import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Io } from '../command';
import { run } from '../run';
import { commands } from './index';

function capture(env: Record<string, string> = {}): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', env, out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

describe('reports commands (against a local HTTP server standing in for the reports API)', () => {
  let server: Server;
  let base = '';
  const seen: { url: string; method: string; auth: string | undefined }[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'cli-reports-'));

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', method: req.method ?? '', auth: req.headers.authorization });
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/sessions/s-1/replay') {
        if (url.searchParams.get('format') === 'text') res.end('$ kubectl get pods -n default\n');
        else res.end(JSON.stringify({ sessionId: 's-1', steps: [{ command: 'kubectl get pods -n default' }] }));
      } else if (url.pathname === '/reports/soc2') {
        res.end(url.searchParams.get('format') === 'csv' ? `section,${url.searchParams.get('section')}\r\n` : JSON.stringify({ period: Object.fromEntries(url.searchParams) }));
      } else if (url.pathname === '/projections/rebuild' && req.method === 'POST') {
        res.end(JSON.stringify({ events: 3, seconds: 0.1, eventsPerSecond: 30, position: 3 }));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ kind: 'Status', message: 'no session "nope" in the event store' }));
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('replay prints the text listing, or JSON with --json, sending the token from CHAPERONE_TOKEN', async () => {
    const io = capture({ CHAPERONE_TOKEN: 'tok-1', CHAPERONE_REPORTS_SERVER: base });
    expect(await run(['replay', 's-1'], io, commands)).toBe(0);
    expect(io.stdout).toBe('$ kubectl get pods -n default\n');
    expect(seen.at(-1)).toEqual({ url: '/sessions/s-1/replay?format=text', method: 'GET', auth: 'Bearer tok-1' });
    const json = capture({ CHAPERONE_TOKEN: 'tok-1' });
    expect(await run(['replay', 's-1', '--json', '--server', base], json, commands)).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ sessionId: 's-1', steps: [{ command: 'kubectl get pods -n default' }] });
  });

  it('replay of an unknown session fails with the server message; no session or no token is bad usage', async () => {
    const io = capture({ CHAPERONE_TOKEN: 'tok-1' });
    expect(await run(['replay', 'nope', '--server', base], io, commands)).toBe(1);
    expect(io.stderr).toContain('no session "nope"');
    expect(await run(['replay', '--server', base], capture({ CHAPERONE_TOKEN: 't' }), commands)).toBe(2);
    const noToken = capture();
    expect(await run(['replay', 's-1', '--server', base], noToken, commands)).toBe(2);
    expect(noToken.stderr).toContain('--token (or CHAPERONE_TOKEN) is required');
  });

  it('report soc2 passes the period, and --format csv writes one file per section into --out', async () => {
    const io = capture({ CHAPERONE_TOKEN: 't' });
    expect(await run(['report', 'soc2', '--from', '2026-01-01', '--to', '2026-02-01', '--server', base], io, commands)).toBe(0);
    expect(JSON.parse(io.stdout)).toEqual({ period: { from: '2026-01-01', to: '2026-02-01', format: 'json' } });
    expect(await run(['report', 'soc2', '--format', 'csv', '--server', base], capture({ CHAPERONE_TOKEN: 't' }), commands)).toBe(2);
    const csv = capture({ CHAPERONE_TOKEN: 't' });
    expect(await run(['report', 'soc2', '--format', 'csv', '--out', join(dir, 'csv'), '--server', base], csv, commands)).toBe(0);
    const files = readdirSync(join(dir, 'csv')).sort();
    expect(files).toContain('cc8.1-changes.csv');
    expect(files).toHaveLength(10);
    expect(readFileSync(join(dir, 'csv', 'cc8.1-changes.csv'), 'utf8')).toBe('section,cc8.1-changes\r\n');
  });

  it('projections rebuild posts and prints the figures', async () => {
    const io = capture({ CHAPERONE_TOKEN: 't' });
    expect(await run(['projections', 'rebuild', '--server', base], io, commands)).toBe(0);
    expect(seen.at(-1)?.method).toBe('POST');
    expect(JSON.parse(io.stdout)).toMatchObject({ events: 3, eventsPerSecond: 30 });
    expect(await run(['projections', 'frobnicate', '--server', base], capture({ CHAPERONE_TOKEN: 't' }), commands)).toBe(2);
  });
});
