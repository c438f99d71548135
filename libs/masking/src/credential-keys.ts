/**
 * Credential-named keys: a field called `password`, `dbPassword`, `DB_PASSWORD`, `adminToken`,
 * `apiKey`, `clientSecret`, `connectionString`... holds a credential in any object, including
 * custom resources the engine knows nothing about.
 *
 * A key is split into words (camelCase, snake_case, kebab-case, dots; an annotation's prefix up to
 * the last `/` is dropped) and judged by its last word, the head of an English compound:
 * `dbPassword` is a password, `passwordPolicy` is a policy, `secretName` a name, `secretRef` a
 * reference, `tokenExpirationSeconds` a number of seconds. Words that only say how the value is
 * held (`passwordValue`, `tokenBase64`, `passwordHash`) are looked through. `key` is a credential
 * only with a qualifier (`apiKey`, `privateKey`, `accessKey`, `client-key-data`), never alone
 * (`key` is a selector's key name, a label key...).
 *
 * Some Kubernetes fields end in a credential word yet hold none; they are in the allow-list.
 */

/** Kubernetes fields whose last word names a credential but which hold none. */
export const DEFAULT_CREDENTIAL_KEY_ALLOW_LIST: readonly string[] = Object.freeze([
  // Pod and ServiceAccount: references to the Secrets holding registry credentials (names only).
  'imagePullSecrets',
  // Projected volume source: audience, expirationSeconds and path of a token the kubelet mounts.
  'serviceAccountToken',
  // Pod and ServiceAccount: a boolean.
  'automountServiceAccountToken',
]);

/** Last words that name a credential. */
const CREDENTIAL_WORDS: ReadonlySet<string> = new Set([
  'password', 'passwords', 'passwd', 'pwd', 'pass', 'passphrase', 'passcode',
  'secret', 'secrets', 'token', 'tokens', 'credential', 'credentials', 'creds',
  'auth', 'bearer', 'authorization', 'dsn',
  // compounds written as one word
  'apikey', 'apikeys', 'apitoken', 'accesskey', 'secretkey', 'privatekey', 'clientsecret', 'connectionstring', 'connstring',
  'connstr', 'accesstoken', 'refreshtoken', 'authtoken', 'idtoken', 'sessiontoken', 'bearertoken',
]);

/** One unsplit lowercase word ending in one of these is a credential (`rootpassword`, `githubtoken`). */
const CREDENTIAL_ENDINGS: readonly string[] = ['password', 'passwd', 'passphrase', 'secret', 'token', 'apikey', 'credentials', 'privatekey', 'secretkey', 'accesskey'];

/** `<qualifier> key` is a credential (`apiKey`, `SECRET_KEY`, `signingKey`, `client-key`). */
const KEY_QUALIFIERS: ReadonlySet<string> = new Set([
  'api', 'access', 'secret', 'private', 'signing', 'sign', 'encryption', 'encrypt', 'decryption', 'master', 'shared', 'account',
  'storage', 'client', 'tls', 'ssl', 'ssh', 'hmac', 'session', 'license', 'sas', 'subscription', 'app', 'service', 'integration',
  'routing', 'deploy', 'write', 'ingest', 'root', 'admin', 'auth', 'crypto', 'cipher', 'aes', 'rsa', 'gpg', 'pgp', 'jwt', 'webhook',
]);

/** `<first> <second>` compounds that name a credential although the last word alone does not. */
const COMPOUNDS: ReadonlySet<string> = new Set(['connection string', 'conn string', 'conn str', 'connection str']);

/** Trailing words that say how a value is held, not what it is: looked through (`passwordValue`). */
const HOLDER_WORDS: ReadonlySet<string> = new Set([
  'value', 'val', 'data', 'string', 'str', 'b64', 'base64', 'encoded', 'plain', 'plaintext', 'raw', 'text', 'hash', 'hashed',
  'bytes', 'pem', 'content', 'contents', 'material', 'enc', 'encrypted', 'literal',
]);

/**
 * Keys of the string leaves kept inside a credential-named object: they name or describe the
 * credential (a secret key selector's `name`, a key's `algorithm`), they do not hold it. `key`
 * is not among them: inside a credential-named object it may hold key material, so a selector's
 * key name is masked too (fails closed).
 */
export const DESCRIPTOR_KEYS: ReadonlySet<string> = new Set([
  'name', 'namespace', 'secretName', 'secretNamespace', 'kind', 'apiVersion', 'uid', 'resourceVersion', 'fieldPath', 'path',
  'mountPath', 'audience', 'audiences', 'type', 'algorithm', 'encoding', 'format', 'rotationPolicy', 'optional',
]);

/** Words of a key, lowercase: `DB_PASSWORD_1` and `dbPassword1` give `db password`. */
function words(key: string): string[] {
  const name = key.slice(key.lastIndexOf('/') + 1);
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '' && !/^v?[0-9]+$/.test(w));
}

/** `password2` is `password`; `base64` stays `base64`. */
function stem(word: string): string {
  if (HOLDER_WORDS.has(word)) return word;
  const s = word.replace(/[0-9]+$/, '');
  return s === '' ? word : s;
}

function credentialWords(ws: readonly string[]): boolean {
  const last = ws[ws.length - 1];
  if (last === undefined) return false;
  const prev = ws[ws.length - 2];
  if (CREDENTIAL_WORDS.has(last)) return true;
  if (prev !== undefined) {
    if ((last === 'key' || last === 'keys') && KEY_QUALIFIERS.has(prev)) return true;
    if (COMPOUNDS.has(`${prev} ${last}`)) return true;
  }
  return ws.length === 1 && CREDENTIAL_ENDINGS.some((e) => last.length > e.length && last.endsWith(e));
}

/** Lowercase, separators removed: allow-list entries match in any spelling. */
export function normaliseKey(key: string): string {
  return key
    .slice(key.lastIndexOf('/') + 1)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** Whether a key names a credential, ignoring any allow-list. */
export function isCredentialName(key: string): boolean {
  let ws = words(key).map(stem);
  if (credentialWords(ws)) return true;
  while (ws.length > 1 && HOLDER_WORDS.has(ws[ws.length - 1] as string)) {
    ws = ws.slice(0, -1);
    if (credentialWords(ws)) return true;
  }
  return false;
}

export interface CredentialKeyMatcher {
  /** True when the key names a credential and is not allow-listed. */
  matches(key: string): boolean;
}

const MEMO_LIMIT = 4096;

/** A matcher with the profile's allow-list. Keys repeat a lot across a list: results are memoised. */
export function credentialKeyMatcher(allowList: readonly string[]): CredentialKeyMatcher {
  const allowed = new Set(allowList.map(normaliseKey));
  const memo = new Map<string, boolean>();
  return {
    matches(key: string): boolean {
      const hit = memo.get(key);
      if (hit !== undefined) return hit;
      const r = !allowed.has(normaliseKey(key)) && isCredentialName(key);
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(key, r);
      return r;
    },
  };
}

/** A child of a credential-named value inherits it unless its key describes rather than holds. */
export function childIsCredential(m: CredentialKeyMatcher, key: string, parentIsCredential: boolean): boolean {
  return m.matches(key) || (parentIsCredential && !DESCRIPTOR_KEYS.has(key));
}

const CRD_COLUMN = /^Custom resource definition column \(in JSONPath format\): (.*)$/s;

/** The field names of a simple JSONPath (`.a.b[0]['c']`), or undefined for anything else (filters...). */
function simplePath(path: string): string[] | undefined {
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1);
  const names: string[] = [];
  const seg = /\.([A-Za-z0-9_$-]+)|\[(?:[0-9]+|\*)\]|\['([^'\]]*)'\]|\["([^"\]]*)"\]/y;
  let at = 0;
  while (at < p.length) {
    seg.lastIndex = at;
    const m = seg.exec(p);
    if (!m) return undefined;
    const name = m[1] ?? m[2] ?? m[3];
    if (name !== undefined) names.push(name);
    at = seg.lastIndex;
  }
  return names.length > 0 ? names : undefined;
}

/**
 * The columns of a Table whose cells show a credential. A custom resource column whose CRD gave no
 * description carries its JSONPath (the API server writes `Custom resource definition column (in
 * JSONPath format): .spec.x`): its cells are masked exactly when that field is masked in the object.
 * Any other column is judged by its name (`Password`, `Admin Token`); a JSONPath too complex to
 * follow is masked when its name or any field it mentions is credential-named (fails closed).
 */
export function credentialColumns(columnDefinitions: unknown, m: CredentialKeyMatcher): Set<number> {
  const out = new Set<number>();
  if (!Array.isArray(columnDefinitions)) return out;
  columnDefinitions.forEach((def: unknown, i) => {
    if (def === null || typeof def !== 'object') return;
    const name = (def as Record<string, unknown>)['name'];
    const description = (def as Record<string, unknown>)['description'];
    const crd = typeof description === 'string' ? CRD_COLUMN.exec(description) : null;
    const byName = typeof name === 'string' && m.matches(name);
    if (crd) {
      const path = crd[1] ?? '';
      const fields = simplePath(path);
      if (fields) {
        let credential = false;
        for (const f of fields) credential = childIsCredential(m, f, credential);
        if (credential) out.add(i);
      } else if (byName || (path.match(/[A-Za-z_][A-Za-z0-9_-]*/g) ?? []).some((f) => m.matches(f))) {
        out.add(i);
      }
    } else if (byName) {
      out.add(i);
    }
  });
  return out;
}
