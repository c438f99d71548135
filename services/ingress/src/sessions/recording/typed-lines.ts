/**
 * Rebuilds the command lines an agent typed into a terminal from its keystrokes, as a line editor
 * would see them: printable characters are appended, Backspace (DEL or ^H) removes the last one,
 * ^U clears the line, ^C abandons it, Enter (CR or LF) ends it. Escape sequences (cursor keys,
 * function keys) are skipped, so an edit made with the cursor is not followed: the result is best
 * effort, and says so. Pure: bytes in, lines out.
 */
export class TypedLines {
  private line = '';
  private readonly lines: string[] = [];
  private escape: 'none' | 'esc' | 'csi' | 'ss3' = 'none';
  private dropped = 0;

  constructor(private readonly limits: { maxLines: number; maxChars: number }) {}

  push(keys: string): void {
    for (const ch of keys) this.key(ch);
  }

  /** The lines so far; a line typed but not entered is not a command and is left out. */
  result(): { lines: string[]; truncated: boolean } {
    return { lines: [...this.lines], truncated: this.dropped > 0 };
  }

  private key(ch: string): void {
    const code = ch.codePointAt(0) ?? 0;
    if (this.escape !== 'none') {
      this.skipEscape(ch, code);
      return;
    }
    if (ch === '\r' || ch === '\n') return this.enter();
    if (code === 0x7f || code === 0x08) {
      this.line = [...this.line].slice(0, -1).join('');
      return;
    }
    if (code === 0x03 || code === 0x15) {
      this.line = '';
      return;
    }
    if (code === 0x1b) {
      this.escape = 'esc';
      return;
    }
    if (code === 0x09) ch = ' ';
    else if (code < 0x20) return;
    if (this.line.length < this.limits.maxChars) this.line += ch;
  }

  private skipEscape(ch: string, code: number): void {
    if (this.escape === 'esc') {
      this.escape = ch === '[' ? 'csi' : ch === 'O' ? 'ss3' : 'none';
      return;
    }
    // CSI ends with a byte in 0x40–0x7E; SS3 is one character.
    if (this.escape === 'ss3' || (code >= 0x40 && code <= 0x7e)) this.escape = 'none';
  }

  private enter(): void {
    const text = this.line.trim();
    this.line = '';
    if (text === '') return;
    if (this.lines.length < this.limits.maxLines) this.lines.push(text);
    else this.dropped++;
  }
}
