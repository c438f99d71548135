import { parse as parseYaml } from 'yaml';
import { MASKED_TEXT_CAP_BYTES, type MaskedText, type RequestInfo } from '@chaperone/contracts';
import { MASK, maskObject, maskText, profileFor } from '@chaperone/masking';

/**
 * What approvers see of a body: the agent's request body, or the live object it would change.
 * Secrets are masked here, in the gateway, before anything leaves it; the text is capped (approvers
 * review, they do not download). Pure.
 */
export function maskedForDisplay(body: Buffer, contentType: string, info: RequestInfo, profileName: string): MaskedText {
  const profile = profileFor(profileName);
  const text = body.toString('utf8');
  let masked: string;
  try {
    const parsed = parseStructured(text, contentType);
    if (parsed === undefined) {
      masked = maskText(text, profile).text;
    } else {
      const { value, implied } = asSecretIfSecrets(parsed, info);
      const out = maskObject(value, profile).value;
      if (implied && out !== null && typeof out === 'object') {
        delete (out as Record<string, unknown>)['kind'];
      }
      masked = JSON.stringify(out, null, 2);
    }
  } catch {
    // Fails closed: what cannot be masked is not shown.
    masked = '(the body could not be masked, so it is not shown)';
  }
  return capText(masked, MASKED_TEXT_CAP_BYTES);
}

/** JSON (every Kubernetes JSON body, merge and JSON patches) or YAML (server-side apply). */
function parseStructured(text: string, contentType: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // not JSON
  }
  if (/yaml/i.test(contentType)) {
    try {
      const v: unknown = parseYaml(text, { maxAliasCount: 100 });
      if (v !== null && typeof v === 'object') return v;
    } catch {
      // not YAML either: masked as text
    }
  }
  return undefined;
}

/**
 * A patch to a Secret carries `data` without `kind: Secret`, so the structural rule would not know
 * it is one: requests on `secrets` are masked as Secrets (the kind is added for masking and taken
 * out again). JSON patch operations on a Secret have every value masked; their paths say where.
 */
function asSecretIfSecrets(value: unknown, info: RequestInfo): { value: unknown; implied: boolean } {
  if (!info.isResourceRequest || info.resource !== 'secrets') return { value, implied: false };
  if (Array.isArray(value)) {
    return { value: value.map((op: unknown) => (op !== null && typeof op === 'object' && 'value' in op ? { ...op, value: MASK } : op)), implied: false };
  }
  if (value !== null && typeof value === 'object' && !('kind' in value)) return { value: { kind: 'Secret', ...value }, implied: true };
  return { value, implied: false };
}

/** At most `cap` bytes of UTF-8, cut on a character boundary. */
export function capText(text: string, cap: number): MaskedText {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= cap) return { masked: text, truncated: false };
  let end = cap;
  // Step back over UTF-8 continuation bytes so no character is cut in half.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return { masked: bytes.subarray(0, end).toString('utf8'), truncated: true };
}
