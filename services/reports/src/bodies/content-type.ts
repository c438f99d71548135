/**
 * The media type a stored body is served with. The evidence keeps bytes, not headers, so it is
 * read from the bytes: a timed stream is JSON lines; JSON is JSON; other UTF-8 text (YAML, logs) is
 * text; anything else is bytes. Never HTML: the bytes come from agents and clusters, and a browser
 * must not run them (the route also sends nosniff and a sandboxing CSP).
 */
export function bodyContentType(bytes: Uint8Array, timed: boolean): string {
  if (timed) return 'application/jsonl; charset=utf-8';
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return 'application/octet-stream';
  }
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') {
    try {
      JSON.parse(text);
      return 'application/json';
    } catch {
      // a cut JSON document (truncated) or JSON-like text: served as text
    }
  }
  return 'text/plain; charset=utf-8';
}
