import { StringDecoder } from 'node:string_decoder';
import { LineMasker, MaskingFailed, WatchStreamMasker, type MaskingProfile, type MaskReport } from '@chaperone/masking';
import { MASK_CHUNK_BYTES, type MaskMode } from '@chaperone/contracts';
import { maskJsonDocument, type MaskedDocument } from './mask-document';

/** Largest document masked as a whole; beyond it the response is refused (fail closed), never passed. */
export const MAX_DOCUMENT_BYTES = 512 * 1024 * 1024;

/**
 * Masks a whole JSON document, possibly elsewhere (a worker thread). May take ownership of `bytes`.
 * Rejects with MaskingFailed as maskJsonDocument throws it.
 */
export type DocumentMasker = (bytes: Uint8Array, profile: MaskingProfile) => Promise<MaskedDocument>;

export interface SessionReply {
  output: Buffer;
  more: boolean;
  /** With `more`: the bytes still held, fetched with `next` a page at a time. */
  pending?: number;
  report?: MaskReport;
}

/**
 * One response being masked. Pure state, no I/O: bytes in, masked bytes out.
 * - document: the whole JSON body is collected, masked as one value, then paged out;
 * - watch: newline-delimited watch events are masked one by one as they complete;
 * - lines: text (pods/log) is masked line by line as lines complete.
 * UTF-8 sequences split across chunks are reassembled before masking.
 *
 * A document is masked inline by default (end returns the reply); given a DocumentMasker, end
 * hands the collected bytes to it and returns a promise of the reply.
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
    private readonly maskDocument?: DocumentMasker,
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
  end(last: Buffer = Buffer.alloc(0)): SessionReply | Promise<SessionReply> {
    if (this.ended) throw new MaskingFailed('end twice');
    if (this.streamMasker) {
      const masked = last.length > 0 ? this.streamMasker.push(this.decoder.write(last)) : '';
      this.ended = true;
      const rest = masked + this.streamMasker.push(this.decoder.end()) + this.streamMasker.end();
      return this.page(Buffer.from(rest, 'utf8'));
    }
    if (last.length > 0) this.data(last);
    this.ended = true;
    // One buffer of its own (not a slice of Node's pool), so a worker can take it without a copy.
    const document = Buffer.allocUnsafeSlow(this.collected);
    let at = 0;
    for (const chunk of this.chunks.splice(0)) at += chunk.copy(document, at);
    if (this.maskDocument) return this.maskDocument(document, this.profile).then((masked) => this.masked(masked));
    return this.masked(maskJsonDocument(document, this.profile));
  }

  private masked({ output, report }: MaskedDocument): SessionReply {
    this.documentReport = report;
    return this.page(output);
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
    return { output, more, ...(more ? { pending: this.pending.length } : {}), ...(done ? { report: this.report() } : {}) };
  }

  report(): MaskReport {
    return this.documentReport ?? this.streamMasker?.report() ?? { count: 0, paths: [], detectors: {} };
  }
}
