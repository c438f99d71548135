import { MASK_DOCUMENT_MAX_BYTES, type MaskReport } from '@chaperone/contracts';
import type { MaskingStream } from '../context/request-context';
import type { MaskingClient } from '../masking-client/masking-client';

/**
 * The masking of one answer to a get or list (a whole document), opened only when the document
 * needs it: one that fits in a request (MASK_DOCUMENT_MAX_BYTES) arrives whole with `end` and is
 * masked in one exchange, no stream; a larger one is fed, and its first batch opens a stream. A
 * stream opened ahead of the decision (the last such answer was large) is used as it is.
 */
export class DocumentMasking implements MaskingStream {
  report: MaskReport | undefined;
  private stream: Promise<MaskingStream> | undefined;
  /** The document was fed in batches: it needed a stream (the next such request may open one ahead). */
  fed = false;

  constructor(
    private readonly client: MaskingClient,
    private readonly requestId: string,
    private readonly profile: string,
    opened?: MaskingStream,
  ) {
    if (opened) this.stream = Promise.resolve(opened);
  }

  async feed(chunk: Buffer): Promise<void> {
    this.fed = true;
    await (await this.opened()).feed(chunk);
  }

  async end(last: Buffer = Buffer.alloc(0)): Promise<Buffer> {
    if (this.stream === undefined && last.length <= MASK_DOCUMENT_MAX_BYTES) {
      const { output, report } = await this.client.maskDocument(last, this.profile);
      this.report = report;
      return output;
    }
    const stream = await this.opened();
    const out = await stream.end(last);
    this.report = stream.report;
    return out;
  }

  async data(chunk: Buffer): Promise<Buffer> {
    return (await this.opened()).data(chunk);
  }

  async keepAlive(): Promise<void> {
    await this.stream?.then((s) => s.keepAlive());
  }

  close(): void {
    void this.stream?.then(
      (s) => s.close(),
      () => undefined,
    );
  }

  private opened(): Promise<MaskingStream> {
    this.stream ??= this.client.open(this.requestId, 'document', this.profile);
    return this.stream;
  }
}
