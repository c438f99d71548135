/**
 * The masked document, written as it is produced. Bytes kept from the input are recorded as a
 * run and copied in one go when something else is written, so a document with few changes costs a
 * few large copies, not one per token.
 */
export class ByteOutput {
  private buf: Buffer;
  private len = 0;
  private runStart = 0;
  private runEnd = -1;

  constructor(
    private readonly src: Buffer,
    capacity: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(64, capacity));
  }

  /** Keep input bytes [from, to) as they are. */
  keep(from: number, to: number): void {
    if (from === this.runEnd) {
      this.runEnd = to;
      return;
    }
    this.flush();
    this.runStart = from;
    this.runEnd = to;
  }

  /** Write text (JSON already: a quoted string, a number, a marker). */
  write(text: string, ascii = false): void {
    this.flush();
    this.ensure(ascii ? text.length : text.length * 3);
    this.len += this.buf.write(text, this.len, ascii ? 'latin1' : 'utf8');
  }

  /** The output so far, finished: a view of the buffer, no copy. */
  finish(): Buffer {
    this.flush();
    return this.buf.subarray(0, this.len);
  }

  private flush(): void {
    if (this.runEnd < 0) return;
    const n = this.runEnd - this.runStart;
    this.ensure(n);
    this.src.copy(this.buf, this.len, this.runStart, this.runEnd);
    this.len += n;
    this.runEnd = -1;
  }

  private ensure(more: number): void {
    if (this.len + more <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + more));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}
