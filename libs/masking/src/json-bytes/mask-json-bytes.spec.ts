import fc from 'fast-check';
import {
  DEFAULT_PROFILE,
  LAST_APPLIED_ANNOTATION,
  MASK,
  MaskingFailed,
  STRICT_PROFILE,
  STRUCTURAL_ONLY_PROFILE,
  maskJsonDocument,
  maskJsonDocumentByTree,
  type MaskingProfile,
  type MaskReport,
} from '../index';
import { TextEngine } from '../detectors';
import { compileProfile } from '../profile';
import { response } from '../testing/arbitraries';
import {
  PLANTED,
  configMap,
  cronJob,
  databaseCR,
  databaseTable,
  deployment,
  lastAppliedSecretJson,
  pod,
  secret,
  secretList,
  secretTable,
  watchEvent,
} from '../testing/fixtures';
import { NeedsTree } from './json-lexer';
import { maskJsonBytesOnly } from './mask-json-bytes';

const PROFILES: [string, MaskingProfile][] = [
  ['default', DEFAULT_PROFILE],
  ['strict', STRICT_PROFILE],
  ['structural-only', STRUCTURAL_ONLY_PROFILE],
  ['no structural rules', { ...DEFAULT_PROFILE, name: 'no-structural', structural: false }],
];

type Outcome = { output: string; report: MaskReport } | { error: string };

function outcome(f: () => { output: Buffer; report: MaskReport }): Outcome {
  try {
    const r = f();
    return { output: r.output.toString('latin1'), report: r.report };
  } catch (e) {
    if (!(e instanceof MaskingFailed)) throw e;
    return { error: e.message };
  }
}

const byTree = (doc: Buffer, p: MaskingProfile): Outcome => outcome(() => maskJsonDocumentByTree(doc, p));
const byDocument = (doc: Buffer, p: MaskingProfile): Outcome => outcome(() => maskJsonDocument(doc, p));

/** The byte masker alone (no fallback): it must not need the tree for this document. */
function byBytes(doc: Buffer, p: MaskingProfile): Outcome {
  const { output, report } = maskJsonBytesOnly(doc, compileProfile(p));
  return { output: output.toString('latin1'), report: report.snapshot() };
}

function needsTree(doc: Buffer, p: MaskingProfile): string | undefined {
  try {
    maskJsonBytesOnly(doc, compileProfile(p));
    return undefined;
  } catch (e) {
    if (e instanceof NeedsTree) return e.why;
    throw e;
  }
}

const withLastApplied = (o: Record<string, unknown>, applied: string): Record<string, unknown> => ({
  ...o,
  metadata: { ...(o['metadata'] as object), annotations: { [LAST_APPLIED_ANNOTATION]: applied } },
});

/** Documents the byte masker must handle itself, identically to the tree masker. */
const VALUES: [string, unknown][] = [
  ['secret', secret()],
  ['secret list', secretList()],
  ['secret table', secretTable()],
  ['config map', configMap()],
  ['deployment', deployment()],
  ['pod', pod()],
  ['cron job', cronJob()],
  ['watch event', watchEvent()],
  ['custom resource', databaseCR()],
  ['custom resource table', databaseTable('Object')],
  ['custom resource table, metadata rows', { type: 'ADDED', object: databaseTable('Metadata') }],
  ['generic list', { kind: 'List', apiVersion: 'v1', items: [configMap(), secret(), pod()] }],
  ['secret with last-applied', withLastApplied(secret(), lastAppliedSecretJson())],
  ['last-applied that is not JSON', withLastApplied(configMap(), '{"kind":"Secret","data":{"p":"aHVudGVy')],
  ['last-applied with nothing to mask', withLastApplied(configMap(), '{"kind":"Service","spec":{"ports":[{"port":80}]}}\n')],
];

/** Hand-written texts: rule order, look-ahead, canonical forms. */
const TEXTS: [string, string][] = [
  ['kind after the data it governs', '{"data":{"password":"aHVudGVy","n":5},"stringData":{"x":"y"},"kind":"Secret","metadata":{"name":"x"}}'],
  ['secret list item with its own kind last', '{"kind":"SecretList","items":[{"data":{"a":"eA=="},"kind":"ConfigMap"},{"data":{"a":"eA=="}}]}'],
  ['kind-less secret-like item, facts after data', '{"items":[{"data":{"a":"b"},"metadata":{"name":"x"},"type":"Opaque"},{"data":{"a":"b"},"metadata":{"name":"x"}}]}'],
  ['kind-less secret-like with stringData only', '{"metadata":{},"stringData":{"p":"hunter2hunter2"},"type":"t"}'],
  ['kind that is not a string', '{"kind":5,"data":{"p":"x"},"metadata":{},"type":"Opaque"}'],
  ['secret data of odd shapes', '{"kind":"Secret","data":["c2VjcmV0",42,-1.5e3,true,null,{"x":"y","z":[1,""]},[1]],"stringData":null}'],
  ['secret data string and empty values', '{"kind":"Secret","data":"c2VjcmV0","stringData":{"a":"","b":"x"}}'],
  ['config map data of odd shapes', '{"kind":"ConfigMap","data":["password=x"],"binaryData":{"tls.key":["eA==",3],"ok":"eA=="}}'],
  ['kind after config map data', '{"data":{"DB_PASSWORD":"x","note":"token=abc123456"},"binaryData":{"signing.key":"eA=="},"kind":"ConfigMap"}'],
  ['env value before its name', '{"env":[{"value":"hunter2","name":"DB_PASSWORD"},{"name":"X","value":""},{"value":"v","name":5},{"name":"API_TOKEN","value":3}]}'],
  [
    'secret flags in command and args',
    `{"kind":"Pod","spec":{"containers":[{"command":["sh","-c","run --password x"],"args":["--password","x","--token=abc","--auth","--token","t","--password","${MASK}","--x=","--password",7,"--password",{"a":"b"},"--db-password=","--token"]}]}}`,
  ],
  ['flags under metadata', '{"metadata":{"args":["--password","x"],"command":["--token=y"]}}'],
  ['table with rows before its columns', '{"kind":"Table","rows":[{"cells":["a","p4ss",3],"object":{"kind":"Secret","data":{"a":"eA=="}}}],"columnDefinitions":[{"name":"Name"},{"name":"Password"},{"name":"Token"}]}'],
  ['table with odd columns', '{"kind":"Table","columnDefinitions":{"name":"Password"},"rows":[{"cells":["x"]},"y",[1]]}'],
  ['strings with escapes', '["\\u0041\\n\\t\\"\\\\\\/","\\ud83d\\ude00","\\ud800","\\u2028x\\u0000",{"\\u006bind":"Secret","data":{"p\\u0061ss":"eA=="}}]'],
  ['non-ASCII text', '{"note":"héllo ☃ 😀 token=abc123456","名前":"値","password":"pässwörd"}'],
  ['numbers in every form', '[0,-0,1.0,1e2,1E+2,-1.5e-3,12345678901234567890,123456789012345,1234567890123456,-123456789012345,1e400,-1e400,0.1,5e-324,2.5E-0]'],
  ['whitespace everywhere', ' \r\n\t{ "a" : [ 1 , 2 , { } , [ ] ] ,\n  "b" : { "password" : "x" } , "c" : "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8" }  \n'],
  ['a __proto__ key', '{"kind":"Secret","data":{"__proto__":"c2VjcmV0"},"__proto__":{"password":"x"}}'],
  ['scalars at the top', '"Authorization: Bearer abc.def"'],
  ['a number at the top', ' 42 '],
  ['null at the top', 'null'],
  ['empty containers', '{"a":{},"b":[],"c":[{}],"data":{},"kind":"Secret"}'],
  ['credential-named fields at depth', '{"kind":"X","spec":{"a":{"b":[{"clientSecret":"s","creds":{"name":"n","user":"u","list":["a",1,"b"]}}]},"imagePullSecrets":["r"]}}'],
  ['a credential key with an escape', '{"pass\\u0077ord":"x","spec":{"token":"true","secret":""}}'],
  ['a long secret value', `{"kind":"Secret","data":{"big":"${'QUJD'.repeat(50_000)}"}}`],
  ['non-ASCII after a long ASCII run, partly masked', `{"msg":"${'a'.repeat(41)} héllo ☃ token=abc123456 ${'b'.repeat(13)}é"}`],
  ['500 levels deep', '['.repeat(500) + '"token=abc123456"' + ']'.repeat(500)],
];

const DOCS: [string, Buffer][] = [
  ...VALUES.flatMap(([name, v]): [string, Buffer][] => [
    [name, Buffer.from(JSON.stringify(v))],
    [`${name} (indented)`, Buffer.from(JSON.stringify(v, null, 2) + '\n')],
  ]),
  ...TEXTS.map(([name, t]): [string, Buffer] => [name, Buffer.from(t)]),
];

describe.each(PROFILES)('maskJsonBytes equals the tree masker (%s profile)', (_label, profile) => {
  it.each(DOCS)('%s: same bytes, same report, without falling back', (_name, doc) => {
    expect(byBytes(doc, profile)).toEqual(byTree(doc, profile));
  });
});

describe('maskJsonBytes: documents at any byte offset (strings are scanned a 32-bit word at a time)', () => {
  const texts = [
    JSON.stringify(secretTable()),
    JSON.stringify(databaseCR()),
    '{"s":"héllo wörld ☃ 😀 and a longer tail of plain ascii text","t":"a\\"b\\\\c\\u0041","p":"password=hunter2 done"}',
    `["${'x'.repeat(37)}","${'y'.repeat(38)}\\n","${'é'.repeat(5)}z"]`,
  ];
  it.each([0, 1, 2, 3, 4, 5, 6, 7])('offset %d', (offset) => {
    for (const t of texts) {
      const body = Buffer.from(t);
      const room = Buffer.alloc(body.length + 16, 0x22); // quotes around it must not be read as its own
      body.copy(room, offset);
      const doc = room.subarray(offset, offset + body.length);
      expect(byBytes(doc, STRICT_PROFILE)).toEqual(byTree(Buffer.from(t), STRICT_PROFILE));
    }
    // and documents shorter than the bytes before the first aligned word
    for (const t of ['1', '[]', '""']) {
      const room = Buffer.alloc(16, 0x20);
      room.write(t, offset);
      expect(byBytes(room.subarray(offset, offset + t.length), STRICT_PROFILE)).toEqual(byTree(Buffer.from(t), STRICT_PROFILE));
    }
    // and content that ends inside a word: an unterminated string is refused, not read past the end
    const cut = Buffer.alloc(24, 0x61);
    cut[offset] = 0x22;
    expect(needsTree(cut.subarray(offset, offset + 9), DEFAULT_PROFILE)).toEqual(expect.any(String));
  });
});

describe('maskJsonBytes: where it hands over to the tree masker', () => {
  const cases: [string, Buffer][] = [
    ['a duplicate key', Buffer.from('{"a":1,"b":2,"a":3}')],
    ['a duplicate kind after data', Buffer.from('{"kind":"ConfigMap","data":{"p":"x"},"kind":"Secret"}')],
    ['a duplicate kind found by look-ahead', Buffer.from('{"data":{"p":"x"},"kind":"Secret","kind":"ConfigMap"}')],
    ['a duplicate key in secret data', Buffer.from('{"kind":"Secret","data":{"p":"","p":"eA=="}}')],
    ['an array-index key (members reordered by JSON.parse)', Buffer.from('{"b":1,"10":2,"2":3}')],
    ['invalid UTF-8 in a string', Buffer.concat([Buffer.from('{"a":"x'), Buffer.from([0xff, 0xc3]), Buffer.from('"}')])],
    ['a byte-order mark', Buffer.from('\ufeff{"a":1}')],
    ['nesting beyond the limit', Buffer.from('['.repeat(600) + ']'.repeat(600))],
  ];
  const notJson = ['', ' ', '{', '}', '{"a":}', '[1,]', '{"a":1,}', '01', '1.', '.5', '+1', '-', '1e', 'tru', 'nul', 'NaN', 'Infinity', "{'a':1}", '{"a" 1}', '[1 2]', '"abc', '{}{}', '[]]', '"\\x"', '"\\u12"', '"a\u0001b"', '"a\nb"', `"${'x'.repeat(41)}\u0001${'y'.repeat(9)}"`, `"${'x'.repeat(42)}\t"`, '{"a":1}x', '[1,2', '{"a":{"b":[}]}'];
  for (const t of notJson) cases.push([`not JSON: ${JSON.stringify(t)}`, Buffer.from(t)]);

  it.each(cases)('%s', (_name, doc) => {
    expect(needsTree(doc, DEFAULT_PROFILE)).toEqual(expect.any(String));
    for (const [, p] of PROFILES) expect(byDocument(doc, p)).toEqual(byTree(doc, p));
  });

  it('gives the tree masker\'s result around the nesting limit, in every kind of place', () => {
    const nest = (depth: number, leaf: string): string => '['.repeat(depth) + leaf + ']'.repeat(depth);
    const places = [
      (d: number) => nest(d, '"token=abc123456"'),
      (d: number) => nest(d, '{}'),
      (d: number) => `{"kind":"Secret","data":{"p":${nest(d, '"eA=="')}}}`,
      (d: number) => `{"kind":"ConfigMap","data":{"password":${nest(d, '"x"')},"other":${nest(d, '"y"')}}}`,
      (d: number) => `{"metadata":{"annotations":{"a":${nest(d, '"x"')},"${LAST_APPLIED_ANNOTATION}":${JSON.stringify(nest(d, '"x"'))}},"labels":${nest(d, '1')}}}`,
      (d: number) => `{"args":${nest(d, '"--password"')}}`,
      (d: number) => `{"args":["--password",${nest(d, '"x"')}]}`,
      (d: number) => `{"spec":{"password":${nest(d, '"x"')}}}`,
    ];
    for (const place of places) {
      for (let d = 505; d <= 516; d++) {
        const doc = Buffer.from(place(d));
        expect({ d, doc: place(4), r: byDocument(doc, DEFAULT_PROFILE) }).toEqual({ d, doc: place(4), r: byTree(doc, DEFAULT_PROFILE) });
      }
    }
  });

  it('fails closed on input that is not JSON, with the reference message', () => {
    expect(byDocument(Buffer.from('password=hunter2'), DEFAULT_PROFILE)).toEqual({ error: 'the response is not JSON' });
  });
});

// ----- properties ---------------------------------------------------------------------------

/** A JSON text of `v` with random whitespace, random \u escapes and `\/`, as other serialisers write. */
function reserialise(v: unknown, rnd: () => number): string {
  const ws = (): string => (rnd() < 0.2 ? [' ', '\n', '\t', '\r\n  '][Math.floor(rnd() * 4)] ?? '' : '');
  const str = (s: string): string => {
    let out = '"';
    for (const ch of JSON.stringify(s).slice(1, -1).match(/\\u[0-9a-f]{4}|\\.|[\s\S]/g) ?? []) {
      if (ch.length === 1 && rnd() < 0.05) {
        const hex = ch.charCodeAt(0).toString(16).padStart(4, '0');
        out += `\\u${rnd() < 0.5 ? hex : hex.toUpperCase()}`;
      }
      else if (ch === '/' && rnd() < 0.5) out += '\\/';
      else out += ch;
    }
    return out + '"';
  };
  const go = (x: unknown): string => {
    if (typeof x === 'string') return str(x);
    if (Array.isArray(x)) return `[${ws()}${x.map((e) => ws() + go(e) + ws()).join(',')}${ws()}]`;
    if (x !== null && typeof x === 'object') {
      return `{${ws()}${Object.entries(x)
        .map(([k, e]) => `${ws()}${str(k)}${ws()}:${ws()}${go(e)}${ws()}`)
        .join(',')}${ws()}}`;
    }
    return JSON.stringify(x);
  };
  return ws() + go(v) + ws();
}

function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** JSON values whose keys JSON.parse keeps in order (no duplicates by construction, no array indexes). */
const orderedKeyJson = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.string(), fc.constantFrom('password=hunter2hunter2', `Bearer ${PLANTED.jwt}`, PLANTED.githubToken, 'a@b.example.com', '4111 1111 1111 1111')),
    fc.double({ noNaN: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(fc.string().filter((k) => !/^(?:0|[1-9][0-9]*)$/.test(k)), fc.constantFrom('kind', 'data', 'stringData', 'metadata', 'type', 'name', 'value', 'items', 'args', 'rows', 'cells', 'columnDefinitions', 'password', 'token', 'annotations')),
      tie('v'),
      { maxKeys: 5 },
    ),
    fc.constantFrom('Secret', 'ConfigMap', 'SecretList', 'Table', 'List', 'DB_PASSWORD', '--password', '--token=x'),
  ),
})).v;

describe('property: maskJsonBytes equals the tree masker', () => {
  it('on Kubernetes responses with planted secrets, serialised with random whitespace and escapes', () => {
    fc.assert(
      fc.property(response, fc.integer(), fc.constantFrom(...PROFILES.map(([, p]) => p)), ({ value }, seed, profile) => {
        const doc = Buffer.from(reserialise(value, seeded(seed)));
        expect(byBytes(doc, profile)).toEqual(byTree(doc, profile));
      }),
      { numRuns: 300 },
    );
  });

  it('on arbitrary JSON (any keys, numbers, escapes, Kubernetes words)', () => {
    fc.assert(
      fc.property(orderedKeyJson, fc.integer(), fc.constantFrom(...PROFILES.map(([, p]) => p)), (value, seed, profile) => {
        const doc = Buffer.from(reserialise(value, seeded(seed)));
        expect(byBytes(doc, profile)).toEqual(byTree(doc, profile));
      }),
      { numRuns: 500 },
    );
  });

  it('on any JSON fast-check makes (array-index keys included): same result, through either path', () => {
    fc.assert(
      fc.property(fc.json(), fc.constantFrom(...PROFILES.map(([, p]) => p)), (text, profile) => {
        const doc = Buffer.from(text);
        expect(byDocument(doc, profile)).toEqual(byTree(doc, profile));
      }),
      { numRuns: 300 },
    );
  });

  it('on corrupted documents: the same output or the same failure', () => {
    const edit = fc.tuple(fc.nat(), fc.constantFrom('delete', 'insert', 'replace'), fc.constantFrom(...'{}[],:"\\ 0-1.eE+tfnu\u0001\u00e9x'.split('')));
    fc.assert(
      fc.property(response, fc.array(edit, { minLength: 1, maxLength: 3 }), ({ value }, edits) => {
        let t = JSON.stringify(value);
        for (const [at, op, ch] of edits) {
          const i = at % (t.length + 1);
          t = op === 'delete' ? t.slice(0, i) + t.slice(i + 1) : op === 'insert' ? t.slice(0, i) + ch + t.slice(i) : t.slice(0, i) + ch + t.slice(i + 1);
        }
        const doc = Buffer.from(t);
        expect(byDocument(doc, DEFAULT_PROFILE)).toEqual(byTree(doc, DEFAULT_PROFILE));
      }),
      { numRuns: 500 },
    );
  });
});

describe('maskJsonBytes: strings a list repeats', () => {
  const list = (values: string[]) => Buffer.from(JSON.stringify({ kind: 'List', apiVersion: 'v1', items: values.map((v, i) => ({ metadata: { name: `x-${i}` }, note: v })) }));

  it('given the same clean string in 100 items (a trigger lets it through), when masked, then the detectors read it once', () => {
    const doc = list(Array.from({ length: 100 }, () => '2024-05-01T10:00:05Z'));
    const reference = byTree(doc, DEFAULT_PROFILE);
    const scans = jest.spyOn(TextEngine.prototype, 'maskLines');
    try {
      expect(byBytes(doc, DEFAULT_PROFILE)).toEqual(reference);
      expect(scans.mock.calls.filter(([text]) => text === '2024-05-01T10:00:05Z')).toHaveLength(1);
    } finally {
      scans.mockRestore();
    }
  });

  it('given a secret repeated through a list beside clean strings, then every occurrence is masked and reported', () => {
    const doc = list(['a:b', 'token=abc123456', 'a:b', 'token=abc123456', 'token=abc123456', 'a:b']);
    const r = byBytes(doc, DEFAULT_PROFILE);
    expect(r).toEqual(byTree(doc, DEFAULT_PROFILE));
    expect('report' in r && r.report.detectors).toEqual({ 'secret-assignment': 3 });
    expect('output' in r && r.output).not.toContain('abc123456');
  });

  it('given a second document with the same strings, then they are read again: nothing is kept from one document to the next', () => {
    const scans = jest.spyOn(TextEngine.prototype, 'maskLines');
    try {
      const doc = list(['2024-05-01T10:00:05Z', '2024-05-01T10:00:05Z']);
      byBytes(doc, DEFAULT_PROFILE);
      byBytes(doc, DEFAULT_PROFILE);
      expect(scans.mock.calls.filter(([text]) => text === '2024-05-01T10:00:05Z')).toHaveLength(2);
    } finally {
      scans.mockRestore();
    }
  });
});
