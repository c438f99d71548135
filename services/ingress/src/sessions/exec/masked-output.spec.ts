import { StringDecoder } from 'node:string_decoder';
import { DEFAULT_PROFILE, LineMasker } from '@chaperone/masking';
import type { MaskingStream } from '../../context/request-context';
import { MaskedOutput } from './masked-output';

/** The masking service's `lines` session in process: the same LineMasker behind the MaskingStream port. */
function linesStream(): MaskingStream & { sent: string[] } {
  const masker = new LineMasker(DEFAULT_PROFILE);
  const decoder = new StringDecoder('utf8');
  const sent: string[] = [];
  return {
    sent,
    report: undefined,
    data: (chunk) => {
      sent.push(chunk.toString());
      return Promise.resolve(Buffer.from(masker.push(decoder.write(chunk))));
    },
    feed: () => Promise.reject(new Error('lines are not fed as a document')),
    end: () => Promise.resolve(Buffer.from(masker.push(decoder.end()) + masker.end())),
    keepAlive: () => Promise.resolve(),
    close: () => undefined,
  };
}

const opts = { flushMs: 40, maxPartialBytes: 64, keepAliveMs: 60_000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('MaskedOutput: exec output masked line by line', () => {
  it('given whole lines, then they go out masked at once', async () => {
    const got: string[] = [];
    const out = new MaskedOutput(linesStream(), async (b) => void got.push(b.toString()), opts);
    await out.push(Buffer.from('hello\npassword=hunter2-secret\n'));
    expect(got.join('')).toBe('hello\npassword=***MASKED***\n');
    await out.end();
  });

  it('given a secret split across chunks within the delay, then it is masked whole', async () => {
    const got: string[] = [];
    const out = new MaskedOutput(linesStream(), async (b) => void got.push(b.toString()), opts);
    await out.push(Buffer.from('password=hun'));
    await out.push(Buffer.from('ter2-secret\n'));
    expect(got.join('')).toBe('password=***MASKED***\n');
    await out.end();
  });

  it('given a prompt without a newline, then it shows after the delay, without a newline added', async () => {
    const got: string[] = [];
    const out = new MaskedOutput(linesStream(), async (b) => void got.push(b.toString()), opts);
    await out.push(Buffer.from('continue? [y/N] '));
    expect(got).toEqual([]);
    await sleep(120);
    expect(got.join('')).toBe('continue? [y/N] ');
    await out.end();
  });

  it('given a character split across chunks, then the flush never cuts it', async () => {
    const got: Buffer[] = [];
    const stream = linesStream();
    const out = new MaskedOutput(stream, async (b) => void got.push(b), opts);
    const euro = Buffer.from('€');
    await out.push(Buffer.concat([Buffer.from('price '), euro.subarray(0, 1)]));
    await out.flush();
    await out.push(euro.subarray(1));
    await out.end();
    expect(Buffer.concat(got).toString()).toBe('price €');
  });

  it('given a partial line over the bound, then it is sent at once', async () => {
    const got: string[] = [];
    const out = new MaskedOutput(linesStream(), async (b) => void got.push(b.toString()), opts);
    await out.push(Buffer.from('x'.repeat(100)));
    expect(got.join('')).toBe('x'.repeat(100));
    await out.end();
  });

  it('given a masking failure, then this and every later push reject', async () => {
    const failing: MaskingStream = {
      report: undefined,
      data: () => Promise.reject(new Error('masking down')),
      feed: () => Promise.reject(new Error('masking down')),
      end: () => Promise.resolve(Buffer.alloc(0)),
      keepAlive: () => Promise.resolve(),
      close: () => undefined,
    };
    const out = new MaskedOutput(failing, () => Promise.resolve(), opts);
    await expect(out.push(Buffer.from('a\n'))).rejects.toThrow('masking down');
    await expect(out.push(Buffer.from('b\n'))).rejects.toThrow('masking down');
    out.abandon();
  });
});
