import { MASK } from './constants';
import { matchesAny, type CompiledProfile, type DetectorName } from './profile';

/** Called once per hit. */
export type HitFn = (rule: DetectorName) => void;

// ---------------------------------------------------------------------------------------------
// Regex-based detectors. Every regex has exactly three groups: (kept prefix)(secret)(kept suffix).
// ---------------------------------------------------------------------------------------------

type Accept = (secret: string, offset: number, match: string, line: string) => boolean;

interface RegexDetector {
  readonly name: DetectorName;
  readonly re: RegExp;
  readonly accept?: Accept;
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * A `Password=...` in a connection string: preceded by `;` or followed by `;`. Its value runs to the
 * next `;` and may contain spaces. Elsewhere `password=...` is left to the assignment detector.
 */
const acceptConnectionString: Accept = (secret, offset, match, line) => {
  let i = offset - 1;
  while (i >= 0 && (line[i] === ' ' || line[i] === '\t')) i--;
  if (i >= 0 && line[i] === ';') return true;
  return line[offset + match.length] === ';' && secret.trim() !== '';
};

const REGEX_DETECTORS: readonly RegexDetector[] = [
  // header.payload.signature (and JWE's five parts); base64url of '{"' is "eyJ".
  { name: 'jwt', re: /()(eyJ[A-Za-z0-9_-]{7,}(?:\.[A-Za-z0-9_-]*){2,4})()/g },
  { name: 'github-token', re: /()(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})()/g },
  { name: 'gitlab-token', re: /()(gl(?:pat|dt|rt|ptt|cbt|soat)-[A-Za-z0-9_-]{20,})()/g },
  { name: 'slack-token', re: /()(xox[abprs]-[A-Za-z0-9-]{10,})()/g },
  { name: 'aws-access-key-id', re: /()((?:AKIA|ASIA)[A-Z0-9]{16})()/g },
  { name: 'aws-secret-access-key', re: /((?:aws_?)?secret_?access_?key["']?\s*[:=]\s*["']?)([A-Za-z0-9/+=]{16,})()/gi },
  {
    // Keep the header name and the scheme word; mask the credential.
    name: 'authorization-header',
    re: /((?<![A-Za-z0-9])(?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:[A-Za-z][A-Za-z0-9._-]*[ \t]+)?)([^\s"',;]+)()/gi,
  },
  // RFC 6750 tokens are [A-Za-z0-9._~+/-]+=*; anything non-blank is taken (fails closed).
  { name: 'bearer-token', re: /((?<![A-Za-z0-9])bearer[ \t]+)([^\s"',;<>]+)()/gi },
  // scheme://user:PASS@host -> keep scheme, user and host.
  { name: 'url-password', re: /((?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:@/?#"'<>]*:)([^\s@"'<>]+)(@)/g },
  {
    name: 'connection-string-password',
    re: /((?<![A-Za-z0-9_])(?:password|pwd)\s*=\s*)([^;"'\r\n]+)()/gi,
    accept: acceptConnectionString,
  },
];

const PII_REGEX_DETECTORS: readonly RegexDetector[] = [
  { name: 'email', re: /()([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})()/g },
  {
    name: 'card-number',
    re: /()((?<![0-9])(?:[0-9][ -]?){12,18}[0-9](?![0-9]))()/g,
    accept: (secret) => {
      const digits = secret.replace(/[ -]/g, '');
      return digits.length >= 13 && digits.length <= 19 && luhnValid(digits);
    },
  },
];

/**
 * Replace the secret group. A secret that already is the mask is left alone (idempotence, no double
 * counting); one that merely contains a mask produced by an earlier detector is masked whole without
 * a second hit.
 */
function applyRegex(line: string, d: RegexDetector, hit: HitFn): string {
  d.re.lastIndex = 0;
  return line.replace(d.re, (match: string, pre: string, secret: string, post: string, offset: number) => {
    if (secret === '' || secret === MASK) return match;
    if (d.accept && !d.accept(secret, offset, match, line)) return match;
    if (!secret.includes(MASK)) hit(d.name);
    return pre + MASK + post;
  });
}

// ---------------------------------------------------------------------------------------------
// Secret-named assignments: key=value, key: value, "key": "value", --flag value.
// ---------------------------------------------------------------------------------------------

const ASSIGNMENT = /(--?)?([A-Za-z0-9_][A-Za-z0-9_.-]*)(["']?)([ \t]*[:=][ \t]*|[ \t]+)/g;
const SCHEME_WORD = /^(?:bearer|basic|digest|token|negotiate)[ \t]+/i;
const UNQUOTED_VALUE = /^[^\s"'&]+/;
const NOT_SECRET_LITERAL = /^(?:null|true|false|none|nil|undefined)$/i;

function quotedEnd(line: string, start: number, quote: string): number {
  for (let i = start + 1; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === quote) return i;
  }
  return -1;
}

function maskAssignments(line: string, names: readonly RegExp[], hit: HitFn): string {
  let out = '';
  let copied = 0;
  ASSIGNMENT.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = ASSIGNMENT.exec(line)) !== null) {
    const dashes = m[1] ?? '';
    const key = m[2] ?? '';
    const sep = m[4] ?? '';
    const afterKey = m.index + dashes.length + key.length + (m[3] ?? '').length;
    const flagForm = !/[:=]/.test(sep);
    if ((flagForm && dashes === '') || !matchesAny(names, key)) {
      // Not an assignment of a secret: rescan from just after the key (the value may hold one).
      ASSIGNMENT.lastIndex = afterKey;
      continue;
    }
    let vStart = ASSIGNMENT.lastIndex;
    const scheme = SCHEME_WORD.exec(line.slice(vStart));
    if (scheme) vStart += scheme[0].length;
    let vEnd: number;
    const q = line[vStart];
    if (q === '"' || q === "'") {
      const close = quotedEnd(line, vStart, q);
      vStart += 1;
      vEnd = close === -1 ? line.length : close;
    } else {
      const v = UNQUOTED_VALUE.exec(line.slice(vStart));
      vEnd = vStart + (v ? v[0].length : 0);
      // Trailing punctuation of the surrounding syntax (JSON, lists) is kept.
      while (vEnd > vStart && ',;)]}'.includes(line[vEnd - 1] ?? '')) vEnd--;
    }
    const value = line.slice(vStart, vEnd);
    const structured = q !== '"' && q !== "'" && (value.startsWith('{') || value.startsWith('['));
    if (value === '' || value === MASK || structured || (q !== '"' && q !== "'" && NOT_SECRET_LITERAL.test(value))) {
      ASSIGNMENT.lastIndex = Math.max(afterKey, vStart);
      continue;
    }
    if (!value.includes(MASK)) hit('secret-assignment');
    out += line.slice(copied, vStart) + MASK;
    copied = vEnd;
    ASSIGNMENT.lastIndex = Math.max(vEnd, ASSIGNMENT.lastIndex);
  }
  return copied === 0 ? line : out + line.slice(copied);
}

// ---------------------------------------------------------------------------------------------
// Triggers: for each detector, text that any match of it contains. A line in which no enabled
// detector's trigger occurs (and that is not inside a PEM block) cannot change, so the detectors'
// dozen regex passes are skipped. Most strings of a Kubernetes object (names, labels, phases, IPs,
// UIDs) have none. In a line where some trigger occurs, only the detectors whose own trigger occurs
// run: a `key: value` line of a config file wakes the assignment detector, not the token, URL and
// header ones. Matched case-insensitively: a superset of every detector's own matches.
// ---------------------------------------------------------------------------------------------

const TRIGGERS: Readonly<Record<DetectorName, string>> = {
  'pem-private-key': '-----BEGIN ',
  jwt: 'eyJ',
  'github-token': 'gh[pousr]_|github_pat_',
  'gitlab-token': 'gl(?:pat|dt|rt|ptt|cbt|soat)-',
  'slack-token': 'xox[abprs]-',
  'aws-access-key-id': 'AKIA|ASIA',
  'aws-secret-access-key': 'secret_?access_?key',
  'authorization-header': 'authorization',
  'bearer-token': 'bearer[ \\t]',
  'url-password': ':\\/\\/',
  'connection-string-password': '(?:password|pwd)\\s*=',
  // key=value, key: value, and the flag form `--key value`
  'secret-assignment': '[:=]|-\\S*[ \\t]',
  email: '@',
  'card-number': '[0-9](?:[ -]?[0-9]){12}',
};

/** Each detector's trigger on its own (no `g`: `test` keeps no state between calls). */
const DETECTOR_TRIGGERS = Object.fromEntries(Object.entries(TRIGGERS).map(([d, t]) => [d, new RegExp(t, 'i')])) as Readonly<Record<DetectorName, RegExp>>;

function triggerOf(detectors: ReadonlySet<DetectorName>): RegExp {
  const parts = [...detectors].map((d) => TRIGGERS[d]);
  return new RegExp(parts.length > 0 ? parts.join('|') : '(?!)', 'i');
}

// ---------------------------------------------------------------------------------------------
// PEM private keys: the only detector spanning lines, so it carries state from line to line.
// ---------------------------------------------------------------------------------------------

const PEM_BEGIN = /-----BEGIN (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_END = /-----END (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_ANY = /-----(BEGIN|END) (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----/g;
/** Longer than any PEM marker the regexes accept (5+6+4*21+16+5 < 128). */
export const PEM_MARKER_MAX = 128;

/**
 * Strings of one document that some detector's trigger let through and that the detectors left
 * unchanged without a hit. A list repeats such strings item after item (timestamps, images,
 * flags, image IDs): found here, they skip the detectors. Kept for one document only, so no
 * cluster data outlives the response it came in.
 */
export type CleanStrings = Set<string>;

/** Longer strings are rarely repeated, and would make the set hold more of the document. */
const CLEAN_MAX_LENGTH = 256;
/** Enough for the distinct values of a list's items; beyond it, new strings are not added. */
const CLEAN_MAX_ENTRIES = 4096;

/**
 * Scans text line by line with the profile's detectors. Keeps the "inside a PEM private key" state
 * between lines: the BEGIN/END markers are kept, everything between them becomes MASK (one MASK per
 * non-blank line). An unterminated block masks every following line (fails closed).
 */
export class TextEngine {
  private inPem = false;
  private pemCounted = false;
  private readonly secretRegexes: readonly RegexDetector[];
  private readonly piiRegexes: readonly RegexDetector[];
  private readonly pem: boolean;
  private readonly assignments: boolean;
  private readonly trigger: RegExp;

  constructor(private readonly profile: CompiledProfile) {
    const on = profile.detectors;
    this.trigger = triggerOf(on);
    this.pem = on.has('pem-private-key');
    this.assignments = on.has('secret-assignment');
    this.secretRegexes = REGEX_DETECTORS.filter((d) => on.has(d.name));
    this.piiRegexes = PII_REGEX_DETECTORS.filter((d) => on.has(d.name));
  }

  /** True when no detector is enabled: text passes unchanged. */
  get idle(): boolean {
    return !this.pem && !this.assignments && this.secretRegexes.length === 0 && this.piiRegexes.length === 0;
  }

  /** False when no enabled detector can match anywhere in `text` (outside a PEM block). */
  mayFire(text: string): boolean {
    return this.trigger.test(text);
  }

  /** Mask one line (without its '\n'). A trailing '\r' is kept as is. */
  maskLine(line: string, hit: HitFn): string {
    if (this.idle || (!this.inPem && !this.mayFire(line))) return line;
    const cr = line.endsWith('\r');
    let s = cr ? line.slice(0, -1) : line;
    if (this.pem) s = this.maskPem(s, hit);
    for (const d of this.secretRegexes) if (this.fires(d.name, s)) s = applyRegex(s, d, hit);
    if (this.assignments && this.fires('secret-assignment', s)) s = maskAssignments(s, this.profile.envNamePatterns, hit);
    for (const d of this.piiRegexes) if (this.fires(d.name, s)) s = applyRegex(s, d, hit);
    return cr ? s + '\r' : s;
  }

  /** False when `detector` cannot match anywhere in `text` (as the line stands after the detectors before it). */
  protected fires(detector: DetectorName, text: string): boolean {
    return DETECTOR_TRIGGERS[detector].test(text);
  }

  /**
   * Mask one JSON string value on its own: the PEM state starts afresh, as on a new engine. Given
   * `clean`, a string found there is returned as it is, and a short string the detectors leave
   * unchanged is added to it: the result depends on the string alone, and every hit replaces what
   * it found with MASK, so an unchanged string had none.
   */
  maskValue(text: string, hit: (rule: DetectorName, line: number) => void, clean?: CleanStrings): string {
    this.inPem = false;
    this.pemCounted = false;
    if (this.idle || !this.mayFire(text)) return text;
    if (clean?.has(text) === true) return text;
    const masked = this.maskLines(text, hit);
    if (clean !== undefined && masked === text && text.length <= CLEAN_MAX_LENGTH && clean.size < CLEAN_MAX_ENTRIES) clean.add(text);
    return masked;
  }

  /** Mask a multi-line string (a JSON string value, a whole text). */
  maskLines(text: string, hit: (rule: DetectorName, line: number) => void): string {
    if (this.idle) return text;
    const lines = text.split('\n');
    return lines.map((l, i) => this.maskLine(l, (rule) => hit(rule, i))).join('\n');
  }

  /**
   * A line withheld whole (too long to buffer): only the PEM state is updated, from the last marker
   * in it. `text` may be fed in pieces as long as each piece is prefixed with the previous tail.
   */
  trackPemState(text: string): void {
    if (!this.pem) return;
    PEM_ANY.lastIndex = 0;
    let last: string | undefined;
    let m: RegExpExecArray | null;
    while ((m = PEM_ANY.exec(text)) !== null) last = m[1];
    if (last === 'BEGIN') {
      this.inPem = true;
      this.pemCounted = false;
    }
    else if (last === 'END') this.inPem = false;
  }

  private maskPem(line: string, hit: HitFn): string {
    let out = '';
    let pos = 0;
    for (;;) {
      if (this.inPem) {
        PEM_END.lastIndex = pos;
        const m = PEM_END.exec(line);
        const bodyEnd = m ? m.index : line.length;
        const body = line.slice(pos, bodyEnd);
        if (body.trim() !== '' && body !== MASK && !this.pemCounted) {
          // One hit per block, counted where key material is first masked (already-masked text counts nothing).
          hit('pem-private-key');
          this.pemCounted = true;
        }
        out += body.trim() === '' ? body : MASK;
        if (!m) return out;
        out += m[0];
        pos = m.index + m[0].length;
        this.inPem = false;
      } else {
        PEM_BEGIN.lastIndex = pos;
        const m = PEM_BEGIN.exec(line);
        if (!m) return out + line.slice(pos);
        this.pemCounted = false;
        out += line.slice(pos, m.index + m[0].length);
        pos = m.index + m[0].length;
        this.inPem = true;
      }
    }
  }
}
