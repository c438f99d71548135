import { maskObject } from './mask-object';
import type { MaskingProfile } from './profile';
import { emptyReport, type MaskReport } from './report';

/** The query parameter that carries an exec's argv, one value per argument (`?command=sh&command=-c`). */
const COMMAND_PARAM = 'command';

/**
 * An exec request's query as evidence keeps it: the `command` values masked as a container's
 * `command` array is (a secret `--flag=value` keeps the flag and loses the value, the element after
 * a bare secret flag is masked whole, and the content detectors run over every argument), every
 * other parameter kept byte for byte. The shape stays readable (`command=sh&command=-c&command=...`)
 * so an auditor sees what ran; only the secret parts become `***`.
 *
 * Values are decoded as the API server decodes them (`+` is a space) and a masked value is written
 * back percent-encoded; an unchanged one keeps its original bytes. Without a `command` parameter the
 * query is returned as it came, at the cost of one substring search.
 */
export function maskCommandQuery(query: string, profile: MaskingProfile): { query: string; report: MaskReport } {
  if (!query.includes(`${COMMAND_PARAM}=`)) return { query, report: emptyReport() };
  const pairs = query.split('&');
  const at: number[] = [];
  const values: string[] = [];
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i] ?? '';
    const eq = pair.indexOf('=');
    if (eq === -1 || decode(pair.slice(0, eq)) !== COMMAND_PARAM) continue;
    at.push(i);
    values.push(decode(pair.slice(eq + 1)));
  }
  if (values.length === 0) return { query, report: emptyReport() };
  const masked = maskObject({ command: values }, profile);
  const out = (masked.value as { command: string[] }).command;
  at.forEach((i, k) => {
    if (out[k] !== values[k]) pairs[i] = `${COMMAND_PARAM}=${encodeURIComponent(out[k] ?? '')}`;
  });
  return { query: pairs.join('&'), report: masked.report };
}

/** Form decoding as Go's url.ParseQuery does it; a malformed escape keeps the raw text (still masked by the detectors). */
function decode(s: string): string {
  const spaced = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}
