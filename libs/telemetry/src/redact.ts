/**
 * Last line of defence for logs: whatever a caller passes, bearer tokens, JWTs and PEM private keys
 * never reach a log line. Callers should not log such values at all; this catches mistakes.
 */
const PATTERNS: readonly RegExp[] = [
  /\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*/gi,
  /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
];

export function redact(text: string): string {
  let out = text;
  for (const p of PATTERNS) {
    out = out.replace(p, (_m, scheme?: string) =>
      typeof scheme === 'string' && /^bearer$/i.test(scheme) ? `${scheme} [REDACTED]` : '[REDACTED]',
    );
  }
  return out;
}
