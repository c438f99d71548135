import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Io } from '../command';
import { run } from '../run';
import { commands } from './index';
import { sinceTime } from './sessions';

function capture(env: Record<string, string> = {}): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', env, out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

const sha = (c: string) => `sha256:${c.repeat(64)}`;
const APPLIED = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app"},"data":{"k":"v"}}';
const TIMED = '[0,"line 1\\n"]\n[1500,"token=***MASKED***\\nline 3\\n"]\n';

/** The replay the reports API answers (GET /sessions/{id}/replay), with each body's link. */
const REPLAY = {
  sessionId: 's-1',
  agent: 'bot',
  owner: 'team@example.com',
  steps: [
    {
      step: 1, time: '2026-03-01T10:00:00.000Z', requestId: 'r-1', command: 'kubectl apply -f - (create configmaps app -n default)', notes: [], outcome: '201 forwarded; allowed by rule "rec"',
      entry: {
        bodies: {
          request: { state: 'stored', digest: sha('a'), size: APPLIED.length, stored: { digest: sha('a'), size: APPLIED.length, truncated: false, timed: false }, href: '/sessions/s-1/requests/r-1/body/request' },
          response: { state: 'pruned', digest: sha('b'), size: 300, stored: { digest: sha('b'), size: 300, truncated: false, timed: false }, prunedAsOf: '2026-06-01T00:00:00.000Z' },
        },
      },
    },
    {
      step: 2, time: '2026-03-01T10:00:05.000Z', requestId: 'r-2', command: 'kubectl logs -f worker-0 -n default', notes: [], outcome: '200 aborted; allowed by rule "rec"; masked 1 value',
      entry: {
        bodies: {
          request: { state: 'digest-only', digest: sha('c'), size: 0 },
          response: { state: 'stored', digest: sha('d'), size: 5000, stored: { digest: sha('e'), size: TIMED.length, truncated: true, timed: true }, href: '/sessions/s-1/requests/r-2/body/response' },
        },
      },
    },
  ],
};

describe('sessions and replay --bodies (against a local HTTP server standing in for the reports API)', () => {
  let server: Server;
  let base = '';
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/sessions') {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            position: 9,
            total: 3,
            sessions: [
              { sessionId: 'sess-b', agent: 'bot', owner: 'team@example.com', firstTime: '2026-03-01T10:00:00.123Z', lastTime: '2026-03-01T11:30:00.000Z', requests: 12, changes: 2 },
              { sessionId: 'sess-a', agent: 'other', owner: null, firstTime: '2026-02-28T09:00:00.000Z', lastTime: '2026-02-28T09:01:00.000Z', requests: 1, changes: 0 },
            ],
          }),
        );
      } else if (url.pathname === '/sessions/s-1/replay') {
        res.end(JSON.stringify(REPLAY));
      } else if (url.pathname === '/sessions/s-1/requests/r-1/body/request') {
        res.setHeader('content-type', 'application/json');
        res.end(APPLIED);
      } else if (url.pathname === '/sessions/s-1/requests/r-2/body/response') {
        res.setHeader('content-type', 'application/jsonl; charset=utf-8');
        res.end(TIMED);
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ kind: 'Status', message: 'not here' }));
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sessions prints one aligned line per session, and says when the list was cut', async () => {
    const io = capture({ CHAPERONE_TOKEN: 't', CHAPERONE_REPORTS_SERVER: base });
    expect(await run(['sessions', '--agent', 'bot', '--limit', '2'], io, commands)).toBe(0);
    expect(seen.at(-1)).toBe('/sessions?agent=bot&limit=2');
    const lines = io.stdout.split('\n');
    expect(lines[0]).toMatch(/^SESSION\s+AGENT\s+OWNER\s+FIRST\s+LAST\s+REQUESTS\s+CHANGES$/);
    expect(lines[1]).toMatch(/^sess-b\s+bot\s+team@example\.com\s+2026-03-01T10:00:00Z\s+2026-03-01T11:30:00Z\s+12\s+2$/);
    expect(lines[2]).toMatch(/^sess-a\s+other\s+-\s+2026-02-28T09:00:00Z\s+2026-02-28T09:01:00Z\s+1\s+0$/);
    expect(lines[1]?.indexOf('bot')).toBe(lines[2]?.indexOf('other'));
    expect(io.stdout).toContain('2 of 3 sessions, most recent first');
  });

  it('sessions --since takes a duration back from now or an ISO time, and refuses anything else', async () => {
    const now = new Date('2026-03-02T12:00:00Z');
    expect(sinceTime('12h', now)).toBe('2026-03-02T00:00:00.000Z');
    expect(sinceTime('7d', now)).toBe('2026-02-23T12:00:00.000Z');
    expect(sinceTime('2026-01-01', now)).toBe('2026-01-01');
    const io = capture({ CHAPERONE_TOKEN: 't', CHAPERONE_REPORTS_SERVER: base });
    expect(await run(['sessions', '--since', '2026-03-01T00:00:00Z'], io, commands)).toBe(0);
    expect(seen.at(-1)).toBe('/sessions?from=2026-03-01T00%3A00%3A00Z');
    expect(await run(['sessions', '--since', 'last week'], capture({ CHAPERONE_TOKEN: 't', CHAPERONE_REPORTS_SERVER: base }), commands)).toBe(2);
  });

  it('replay --bodies shows each request with its bodies: JSON pretty, a stream with its offsets, what was not stored or was pruned', async () => {
    const io = capture({ CHAPERONE_TOKEN: 't', CHAPERONE_REPORTS_SERVER: base });
    expect(await run(['replay', 's-1', '--bodies'], io, commands)).toBe(0);
    expect(io.stderr).toBe('');
    const out = io.stdout;
    expect(out).toContain('$ kubectl apply -f - (create configmaps app -n default)');
    expect(out).toContain(`  request body (as sent): ${APPLIED.length} bytes:\n    {\n      "apiVersion": "v1",`);
    expect(out).toContain('  response body (as the agent received it, masked): deleted by retention (prune as of 2026-06-01T00:00:00.000Z)');
    expect(out).toContain(`  request body (as sent): not stored; 0 bytes, ${sha('c')}`);
    expect(out).toContain(
      `  response body (as the agent received it, masked): a stream, 2 chunks (5000 bytes, only the first ${TIMED.length} bytes kept):\n` +
        '    +0.000s line 1\n' +
        '    +1.500s token=***MASKED***\n' +
        '            line 3\n',
    );
    // The steps keep their order, each body under its request.
    expect(out.indexOf('request r-1')).toBeLessThan(out.indexOf('"apiVersion"'));
    expect(out.indexOf('"apiVersion"')).toBeLessThan(out.indexOf('request r-2'));
    expect(await run(['replay', 's-1', '--bodies', '--json'], capture({ CHAPERONE_TOKEN: 't', CHAPERONE_REPORTS_SERVER: base }), commands)).toBe(2);
  });
});
