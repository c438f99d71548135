import fc from 'fast-check';
import {
  DEFAULT_PROFILE,
  LineMasker,
  MALFORMED_EVENT_PLACEHOLDER,
  MASK,
  MASKED_BASE64,
  MaskingFailed,
  WatchStreamMasker,
  maskObject,
  maskText,
  type MaskReport,
} from './index';
import { PLANTED, podLog, secretTable, watchEvent } from './testing/fixtures';

interface Streamer {
  push(chunk: string): string;
  end(): string;
  report(): MaskReport;
}

function feed(m: Streamer, chunks: string[]): { out: string; report: MaskReport } {
  let out = '';
  for (const c of chunks) out += m.push(c);
  out += m.end();
  return { out, report: m.report() };
}

/** Split `s` at the given cut points (sorted, deduplicated). */
function splitAt(s: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => Math.max(0, Math.min(s.length, c))))].sort((a, b) => a - b);
  const parts: string[] = [];
  let prev = 0;
  for (const p of points) {
    parts.push(s.slice(prev, p));
    prev = p;
  }
  parts.push(s.slice(prev));
  return parts;
}

const LOG = podLog() + `trailing line without newline password=${PLANTED.dbPassword}`;

describe('LineMasker', () => {
  const whole = maskText(LOG, DEFAULT_PROFILE);

  it('masks the pod log (ghp_ token, PEM key, bearer JWT)', () => {
    for (const v of [PLANTED.githubToken, PLANTED.pemBody1, PLANTED.pemBody2, PLANTED.jwt, PLANTED.dbPassword]) {
      expect(whole.text).not.toContain(v);
    }
    expect(whole.text).toContain('-----BEGIN RSA PRIVATE KEY-----\n' + MASK);
    expect(whole.text).toContain('2024-05-01T10:00:02.000Z INFO ready\n');
    expect(whole.report.detectors).toEqual({ 'github-token': 1, 'pem-private-key': 1, jwt: 1, 'secret-assignment': 1 });
  });

  it('gives the whole-input result for a split at every possible position', () => {
    for (let i = 0; i <= LOG.length; i++) {
      const r = feed(new LineMasker(DEFAULT_PROFILE), [LOG.slice(0, i), LOG.slice(i)]);
      if (r.out !== whole.text) throw new Error(`split at ${i} differs`);
      expect(r.report).toEqual(whole.report);
    }
  });

  it('gives the whole-input result when fed one character at a time', () => {
    expect(feed(new LineMasker(DEFAULT_PROFILE), [...LOG])).toEqual({ out: whole.text, report: whole.report });
  });

  it('gives the whole-input result for random chunkings (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: LOG.length }), { maxLength: 40 }), (cuts) => {
        expect(feed(new LineMasker(DEFAULT_PROFILE), splitAt(LOG, cuts)).out).toBe(whole.text);
      }),
    );
  });

  it('catches a token split across two chunks and returns only complete lines', () => {
    const m = new LineMasker(DEFAULT_PROFILE);
    const token = PLANTED.githubToken;
    expect(m.push(`first line\nclone ${token.slice(0, 10)}`)).toBe('first line\n');
    expect(m.push(`${token.slice(10)} ok\nnext`)).toBe(`clone ${MASK} ok\n`);
    expect(m.end()).toBe('next');
    expect(m.report()).toEqual({ count: 1, paths: ['text:line 2'], detectors: { 'github-token': 1 } });
  });

  it('keeps masking PEM body lines that arrive in later chunks', () => {
    const m = new LineMasker(DEFAULT_PROFILE);
    expect(m.push('-----BEGIN EC PRIVATE KEY-----\n')).toBe('-----BEGIN EC PRIVATE KEY-----\n');
    expect(m.push(`${PLANTED.pemBody1}\n`)).toBe(`${MASK}\n`);
    expect(m.push('-----END EC PRIVATE KEY-----\nok\n')).toBe('-----END EC PRIVATE KEY-----\nok\n');
  });

  describe('bounded buffer (fails closed)', () => {
    it('replaces an overlong line by one MASK as soon as it overflows and drops the rest of it', () => {
      const m = new LineMasker(DEFAULT_PROFILE, { maxLineLength: 16 });
      expect(m.push('short\n0123456789')).toBe('short\n');
      expect(m.push('abcdefgh')).toBe(MASK); // 18 > 16 buffered: withheld
      expect(m.push('more secret text')).toBe('');
      expect(m.push(' end\nnext line\n')).toBe('\nnext line\n');
      expect(m.end()).toBe('');
      expect(m.report()).toEqual({ count: 1, paths: ['text:line 2'], detectors: { 'oversized-line': 1 } });
    });

    it('gives the same output whatever the chunking, also for overlong lines', () => {
      const text = `ok\n${'x'.repeat(40)}\npassword=abc\n${'y'.repeat(17)}`;
      const expected = `ok\n${MASK}\npassword=${MASK}\n${MASK}`;
      for (let i = 0; i <= text.length; i++) {
        const r = feed(new LineMasker(DEFAULT_PROFILE, { maxLineLength: 16 }), [text.slice(0, i), text.slice(i)]);
        if (r.out !== expected) throw new Error(`split at ${i}: ${JSON.stringify(r.out)}`);
      }
    });

    it('tracks a PEM block that starts inside an overlong line', () => {
      const m = new LineMasker(DEFAULT_PROFILE, { maxLineLength: 40 });
      const out = feed(m, [`${'z'.repeat(50)} -----BEGIN PRIVATE KEY-----\n`, `${PLANTED.pemBody1}\n-----END PRIVATE KEY-----\nok`]);
      expect(out.out).toBe(`${MASK}\n${MASK}\n-----END PRIVATE KEY-----\nok`);
    });
  });

  it('refuses input after end', () => {
    const m = new LineMasker(DEFAULT_PROFILE);
    m.end();
    expect(() => m.push('x')).toThrow();
  });
});

describe('WatchStreamMasker', () => {
  const events = [watchEvent('ADDED'), { type: 'ADDED', object: secretTable() }, { type: 'BOOKMARK', object: { kind: 'Secret', metadata: { resourceVersion: '9' } } }, watchEvent('DELETED')];
  const stream = events.map((e) => JSON.stringify(e) + '\n').join('');
  const expected = events.map((e) => JSON.stringify(maskObject(e, DEFAULT_PROFILE).value) + '\n').join('');

  it('masks every event of a secrets watch', () => {
    const r = feed(new WatchStreamMasker(DEFAULT_PROFILE), [stream]);
    expect(r.out).toBe(expected);
    const first = JSON.parse(r.out.split('\n')[0] ?? '');
    expect(first.object.data.password).toBe(MASKED_BASE64);
    for (const v of Object.values(PLANTED)) expect(r.out).not.toContain(v);
    expect(r.report.paths).toContain('events[3].object.data.password');
  });

  it('gives the whole-input result for a split at every possible position', () => {
    const whole = feed(new WatchStreamMasker(DEFAULT_PROFILE), [stream]);
    for (let i = 0; i <= stream.length; i++) {
      const r = feed(new WatchStreamMasker(DEFAULT_PROFILE), [stream.slice(0, i), stream.slice(i)]);
      if (r.out !== whole.out) throw new Error(`split at ${i} differs`);
      expect(r.report).toEqual(whole.report);
    }
  });

  it('gives the whole-input result for random chunkings (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: stream.length }), { maxLength: 60 }), (cuts) => {
        expect(feed(new WatchStreamMasker(DEFAULT_PROFILE), splitAt(stream, cuts)).out).toBe(expected);
      }),
    );
  });

  it('only emits complete events', () => {
    const m = new WatchStreamMasker(DEFAULT_PROFILE);
    const line = JSON.stringify(watchEvent('ADDED')) + '\n';
    expect(m.push(line.slice(0, 100))).toBe('');
    expect(m.push(line.slice(100))).toBe(expected.split('\n')[0] + '\n');
  });

  it('passes blank lines through and masks a final event without newline', () => {
    const m = new WatchStreamMasker(DEFAULT_PROFILE);
    expect(m.push('\n\r\n')).toBe('\n\r\n');
    m.push(JSON.stringify(watchEvent()));
    expect(JSON.parse(m.end()).object.data.password).toBe(MASKED_BASE64);
  });

  describe('malformed input fails closed', () => {
    const bad = `{"type":"MODIFIED","object":{"kind":"Secret","data":{"password":"${Buffer.from(PLANTED.dbPassword).toString('base64')}"}`; // truncated

    it('throws MaskingFailed by default, without quoting the input, and stays failed', () => {
      const m = new WatchStreamMasker(DEFAULT_PROFILE);
      m.push(JSON.stringify(watchEvent()) + '\n');
      let err: unknown;
      try {
        m.push(bad + '\n');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MaskingFailed);
      expect((err as Error).message).not.toContain('password');
      expect((err as Error).message).not.toContain(Buffer.from(PLANTED.dbPassword).toString('base64'));
      expect(() => m.push('{}\n')).toThrow(MaskingFailed);
      expect(() => m.end()).toThrow(MaskingFailed);
      expect(m.report().detectors['malformed-watch-event']).toBe(1);
    });

    it('throws on a truncated last event at end()', () => {
      const m = new WatchStreamMasker(DEFAULT_PROFILE);
      expect(m.push(bad)).toBe('');
      expect(() => m.end()).toThrow(MaskingFailed);
    });

    it("replaces it by a Kubernetes ERROR event in 'error-event' mode and carries on", () => {
      const m = new WatchStreamMasker(DEFAULT_PROFILE, { onMalformed: 'error-event' });
      const out = feed(m, [bad + '\n', JSON.stringify(watchEvent()) + '\n']).out;
      const [first, second] = out.split('\n');
      expect(first).toBe(MALFORMED_EVENT_PLACEHOLDER);
      expect(JSON.parse(first ?? '')).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 500 } });
      expect(JSON.parse(second ?? '').object.data.password).toBe(MASKED_BASE64);
      expect(out).not.toContain(Buffer.from(PLANTED.dbPassword).toString('base64'));
    });

    it('withholds an event longer than the bound', () => {
      const line = JSON.stringify(watchEvent()) + '\n';
      expect(() => feed(new WatchStreamMasker(DEFAULT_PROFILE, { maxEventLength: 64 }), [line])).toThrow(MaskingFailed);
      const chunks = [line.slice(0, 50), line.slice(50, 120), line.slice(120), '{"type":"ADDED","object":{}}\n'];
      const out = feed(new WatchStreamMasker(DEFAULT_PROFILE, { maxEventLength: 64, onMalformed: 'error-event' }), chunks).out;
      expect(out).toBe(`${MALFORMED_EVENT_PLACEHOLDER}\n{"type":"ADDED","object":{}}\n`);
    });
  });
});
