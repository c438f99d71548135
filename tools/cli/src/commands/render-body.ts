import type { BodyLink } from '@chaperone/contracts';

const INDENT = '    ';

/**
 * One recorded body for the terminal, under its request: a heading (what it is, its size, whether
 * it was cut), then its content indented. JSON is pretty-printed, a timed stream shows each chunk
 * with its offset from the start of the response, bytes that are not text are not printed.
 */
export function renderBody(kind: 'request' | 'response', link: BodyLink, fetched: { bytes: Buffer; contentType: string } | Error | undefined): string {
  const what = kind === 'request' ? 'request body (as sent)' : 'response body (as the agent received it, masked)';
  if (link.state === 'digest-only') return `  ${what}: not stored; ${link.size} bytes, ${link.digest}\n`;
  if (link.state === 'pruned') return `  ${what}: deleted by retention (prune as of ${link.prunedAsOf ?? '?'}); it was ${link.size} bytes, ${link.digest}\n`;
  if (fetched === undefined) return `  ${what}: stored, no link to read it\n`;
  if (fetched instanceof Error) return `  ${what}: cannot be shown: ${fetched.message}\n`;
  const s = link.stored;
  const cut = s?.truncated ? `, only the first ${s.size} bytes kept` : '';
  if (s?.timed) {
    const lines = fetched.bytes.toString('utf8').split('\n').filter((l) => l !== '');
    return `  ${what}: a stream, ${lines.length} chunk${lines.length === 1 ? '' : 's'} (${link.size} bytes${cut}):\n${lines.map(timedLine).join('')}`;
  }
  const head = `  ${what}: ${link.size} bytes${cut}:\n`;
  if (fetched.contentType.startsWith('application/octet-stream')) return `  ${what}: ${link.size} bytes${cut}, not text (GET ${link.href ?? ''} for the bytes)\n`;
  let text = fetched.bytes.toString('utf8');
  if (fetched.contentType.startsWith('application/json')) {
    try {
      text = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      // shown as stored
    }
  }
  return head + indent(text, INDENT);
}

/** `[ms, "text"]` → `+1.234s text`, later lines of the chunk aligned under the first. */
function timedLine(line: string): string {
  let ms: unknown;
  let text: unknown;
  try {
    [ms, text] = JSON.parse(line) as [unknown, unknown];
  } catch {
    return `${INDENT}? ${line}\n`;
  }
  const offset = typeof ms === 'number' ? `+${(ms / 1000).toFixed(3)}s` : '?';
  const pad = ' '.repeat(offset.length + 1);
  const body = (typeof text === 'string' ? text : JSON.stringify(text)).replace(/\n$/, '');
  return `${INDENT}${offset} ${body.split('\n').join(`\n${INDENT}${pad}`)}\n`;
}

function indent(text: string, by: string): string {
  const lines = text.replace(/\n$/, '').split('\n');
  return lines.map((l) => `${by}${l}`).join('\n') + '\n';
}
