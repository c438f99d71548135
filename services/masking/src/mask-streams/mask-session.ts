import { StringDecoder } from 'node:string_decoder';
import { LineMasker, maskObject, MaskingFailed, WatchStreamMasker, type MaskingProfile, type MaskReport } from '@chaperone/masking';
import { MASK_CHUNK_BYTES, type MaskMode } from '@chaperone/contracts';

/** Largest document masked as a whole; beyond it the response is refused (fail closed), never passed. */
export const MAX_DOCUMENT_BYTES = 512 * 1024 * 1024;

export interface SessionReply {
  output: Buffer;
  more: boolean;
  report?: MaskReport;
}

/**
 * One response being masked. Pure state, no I/O: bytes in, masked bytes out.
 * - document: the whole JSON body is collected, masked as one value, then paged out;
 * - watch: newline-delimited watch events are masked one by one as they complete;
 * - lines: text (pods/log) is masked line by line as lines complete.
 * UTF-8 sequences split across chunks are reassembled before masking.
 */
export class MaskSession {
  private readonly decoder = new StringDecoder('utf8');
  private readonly chunks: Buffer[] = [];
  private collected = 0;
  private pending: Buffer = Buffer.alloc(0);
  private readonly streamMasker: WatchStreamMasker | LineMasker | undefined;
  private documentReport: MaskReport | undefined;
  private ended = false;

  constructor(
    readonly mode: MaskMode,
    private readonly profile: MaskingProfile,
  ) {
    this.streamMasker = mode === 'watch' ? new WatchStreamMasker(profile) : mode === 'lines' ? new LineMasker(profile) : undefined;
  }

  data(chunk: Buffer): SessionReply {
    if (this.ended) throw new MaskingFailed('data after end');
    if (this.streamMasker) {
      return this.page(Buffer.from(this.streamMasker.push(this.decoder.write(chunk)), 'utf8'));
    }
    this.collected += chunk.length;
    if (this.collected > MAX_DOCUMENT_BYTES) throw new MaskingFailed(`document larger than ${MAX_DOCUMENT_BYTES} bytes`);
    this.chunks.push(chunk);
    return { output: Buffer.alloc(0), more: false };
  }

  /**
   * The end of the response, optionally with its last bytes: a small response travels in one
   * exchange (end with body) instead of two (data, then end).
   */
  end(last: Buffer = Buffer.alloc(0)): SessionReply {
    if (this.ended) throw new MaskingFailed('end twice');
    if (this.streamMasker) {
      const masked = last.length > 0 ? this.streamMasker.push(this.decoder.write(last)) : '';
      this.ended = true;
      const rest = masked + this.streamMasker.push(this.decoder.end()) + this.streamMasker.end();
      return this.page(Buffer.from(rest, 'utf8'));
    }
    if (last.length > 0) this.data(last);
    this.ended = true;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.concat(this.chunks).toString('utf8'));
    } catch {
      throw new MaskingFailed('the response is not JSON');
    }
    this.chunks.length = 0;
    const { value, report } = maskObject(parsed, this.profile);
    this.documentReport = report;
    return this.page(Buffer.from(JSON.stringify(value), 'utf8'));
  }

  next(): SessionReply {
    return this.page(Buffer.alloc(0));
  }

  private page(produced: Buffer): SessionReply {
    this.pending = this.pending.length === 0 ? produced : Buffer.concat([this.pending, produced]);
    const output = this.pending.subarray(0, MASK_CHUNK_BYTES);
    this.pending = this.pending.subarray(output.length);
    const more = this.pending.length > 0;
    const done = this.ended && !more;
    return { output, more, ...(done ? { report: this.report() } : {}) };
  }

  report(): MaskReport {
    return this.documentReport ?? this.streamMasker?.report() ?? { count: 0, paths: [], detectors: {} };
  }
}
