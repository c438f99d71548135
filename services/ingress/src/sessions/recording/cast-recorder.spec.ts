import { DEFAULT_PROFILE } from '@chaperone/masking';
import { asciicast } from './asciicast';
import { CastRecorder } from './cast-recorder';

const JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImZha2UifQ.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50In0.c2lnbmF0dXJlLW5vdC1yZWFs';

function recorder(capBytes = 1 << 20): { r: CastRecorder; at: (ms: number) => void } {
  let now = 0;
  return { r: new CastRecorder(DEFAULT_PROFILE, { capBytes, now: () => now }), at: (ms) => (now = ms) };
}

const events = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as [number, string, string]);

describe('CastRecorder: the asciicast events of a session, masked', () => {
  it('given output with a secret split across chunks, then the recorded line is masked', () => {
    const { r, at } = recorder();
    at(100);
    r.output('stdout', Buffer.from(`token=${JWT.slice(0, 20)}`));
    at(250);
    r.output('stdout', Buffer.from(`${JWT.slice(20)}\npassword=hunter2-secret\n`));
    const { events: text, report } = r.finish();
    expect(text).not.toContain(JWT);
    expect(text).not.toContain('hunter2-secret');
    expect(events(text)[0]?.[0]).toBe(0.25);
    expect(events(text).every(([, code]) => code === 'o')).toBe(true);
    expect(report.count).toBeGreaterThanOrEqual(2);
  });

  it('given typed input with Enter as CR, then `i` events hold masked lines', () => {
    const { r } = recorder();
    r.input(Buffer.from('export PASSWORD=hunter2-secret\r'));
    const text = r.finish().events;
    expect(events(text)).toEqual([[0, 'i', 'export PASSWORD=***MASKED***\n']]);
  });

  it('given resizes, then `r` events and the first size for the header', () => {
    const { r, at } = recorder();
    at(5);
    r.resize(100, 40);
    r.resize(120, 50);
    const finished = r.finish();
    expect(events(finished.events).map(([, c, d]) => [c, d])).toEqual([
      ['r', '100x40'],
      ['r', '120x50'],
    ]);
    expect(r.firstSize).toEqual({ width: 100, height: 40 });
    const file = asciicast({
      subject: { subresource: 'exec', pod: 'p', namespace: 'ns', container: '', agent: 'a', sessionId: 's', requestId: 'r', command: ['sh'], tty: true },
      startedAt: new Date(1_700_000_000_500),
      size: r.firstSize,
      events: finished.events,
      truncated: false,
    });
    const [header] = file.toString().split('\n');
    expect(JSON.parse(header ?? '')).toMatchObject({ version: 2, width: 100, height: 40, timestamp: 1_700_000_000, env: { SHELL: 'sh' }, chaperone: { pod: 'p', requestId: 'r' } });
  });

  it('given more output than the cap, then a marker and nothing more', () => {
    const { r } = recorder(200);
    for (let i = 0; i < 20; i++) r.output('stderr', Buffer.from(`line ${i}\n`));
    const { events: text, truncated } = r.finish();
    expect(truncated).toBe(true);
    expect(events(text).at(-1)?.[1]).toBe('m');
  });
});
