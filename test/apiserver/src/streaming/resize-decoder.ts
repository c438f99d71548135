import { TerminalSize } from '../runtime/process';

/**
 * The resize channel carries a stream of JSON objects, {"Width":80,"Height":24}, which a client
 * may split or join across messages (client-go writes one per line with json.Encoder).
 */
export class ResizeDecoder {
  private buffered = '';

  constructor(private readonly onSize: (size: TerminalSize) => void) {}

  push(chunk: Buffer): void {
    this.buffered += chunk.toString('utf8');
    for (;;) {
      const span = objectSpan(this.buffered);
      if (!span) return;
      const text = this.buffered.slice(span[0], span[1]);
      this.buffered = this.buffered.slice(span[1]);
      try {
        const v = JSON.parse(text) as { Width?: unknown; Height?: unknown };
        if (typeof v.Width === 'number' && typeof v.Height === 'number') this.onSize({ width: v.Width, height: v.Height });
      } catch {
        // A malformed object is skipped, as the server's decoder loop would stop on it.
      }
    }
  }
}

/** Where the first complete top-level {...} in `s` starts and ends, if there is one yet. */
function objectSpan(s: string): [number, number] | undefined {
  const start = s.indexOf('{');
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth += 1;
    else if (c === '}' && --depth === 0) return [start, i + 1];
  }
  return undefined;
}
