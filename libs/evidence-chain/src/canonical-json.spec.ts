import fc from 'fast-check';
import { canonicalJson, canonicalJsonAsStored, CanonicalJsonError } from './canonical-json';

/** Rebuilds a JSON value with every object's members inserted in a seeded-random order. */
function permuteKeys(value: unknown, seed: number): unknown {
  let state = seed >>> 0 || 1;
  const rand = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v).map(([k, x]) => [k, walk(x)] as const);
      for (let i = entries.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [entries[i], entries[j]] = [entries[j]!, entries[i]!];
      }
      return Object.fromEntries(entries);
    }
    return v;
  };
  return walk(value);
}

describe('canonicalJson', () => {
  it('sorts object members and emits no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1, y: { x: 2 } } })).toBe(
      '{"a":[true,null,"x"],"b":1,"c":{"y":{"x":2},"z":1}}',
    );
  });

  it('does not depend on the order members were inserted', () => {
    expect(canonicalJson({ a: 1, b: { c: 2, d: 3 } })).toBe(canonicalJson({ b: { d: 3, c: 2 }, a: 1 }));
  });

  it('given a member name first in one object and later in another, then each is written with its own separator', () => {
    expect(canonicalJson([{ m: 1, z: 2 }, { a: 0, m: 1 }, { m: { m: 'm' } }])).toBe('[{"m":1,"z":2},{"a":0,"m":1},{"m":{"m":"m"}}]');
  });

  it('given more distinct member names than it keeps openings for, or longer ones, then they are written the same way', () => {
    for (let i = 0; i < 5000; i++) {
      const name = `name-${i}"\n${i % 2 === 0 ? 'x'.repeat(100) : ''}`;
      const quotedName = JSON.stringify(name);
      expect(canonicalJson({ [name]: i, ' ': 0 })).toBe(`{" ":0,${quotedName}:${i}}`);
      expect(canonicalJson({ '~': 0, [name]: i })).toBe(`{${quotedName}:${i},"~":0}`);
    }
  });

  it('keeps array order', () => {
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
    expect(canonicalJson([3, 1, 2])).not.toBe(canonicalJson([1, 2, 3]));
  });

  it('sorts member names by UTF-16 code units (RFC 8785 example)', () => {
    const value = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const keys = Object.keys(JSON.parse(canonicalJson(value)) as object);
    // Integer-like keys are enumerated first by JSON.parse, so compare the serialized order.
    const order = [...canonicalJson(value).matchAll(/"([^"]*)":"/g)].map((m) => m[1]);
    expect(order.map((k) => JSON.parse(`"${k}"`) as string)).toEqual([
      '\r',
      '1',
      '\u0080',
      '\u00f6',
      '\u20ac',
      '\ud83d\ude00',
      '\ufb33',
    ]);
    expect(keys).toHaveLength(7);
  });

  it('serializes unicode strings and numbers as JSON.stringify does', () => {
    expect(canonicalJson('h\u00e9llo \u{1f600} "q" \\ \n \u0001')).toBe(
      JSON.stringify('h\u00e9llo \u{1f600} "q" \\ \n \u0001'),
    );
    expect(canonicalJson([1e21, 1e-7, -0, 0.1, 333333333.3333333, 100])).toBe(
      '[1e+21,1e-7,0,0.1,333333333.3333333,100]',
    );
  });

  it('omits undefined members, turns undefined array items into null, honours toJSON', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
    expect(canonicalJson({ at: new Date('2024-01-02T03:04:05.000Z') })).toBe('{"at":"2024-01-02T03:04:05.000Z"}');
  });

  it('accepts shared references that are not cycles', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: [shared] })).toBe('{"a":{"x":1},"b":[{"x":1}]}');
  });

  it.each([
    ['NaN', { a: [1, NaN] }, /NaN at \/a\/1/],
    ['Infinity', { a: Infinity }, /Infinity at \/a/],
    ['-Infinity', -Infinity, /-Infinity at <root>/],
    ['a function', { f: () => 1 }, /function at \/f/],
    ['a bigint', { n: 1n }, /bigint at \/n/],
    ['a symbol', { s: Symbol('s') }, /symbol at \/s/],
    ['a Map', { m: new Map() }, /Map at \/m/],
    ['undefined', undefined, /undefined at <root>/],
  ])('rejects %s', (_name, value, message) => {
    expect(() => canonicalJson(value)).toThrow(CanonicalJsonError);
    expect(() => canonicalJson(value)).toThrow(message);
  });

  it('rejects cycles with the path of the cycle', () => {
    const a: Record<string, unknown> = { k: 1 };
    a['self'] = { back: a };
    expect(() => canonicalJson(a)).toThrow(/cyclic structure at \/self\/back/);
    const arr: unknown[] = [];
    arr.push(arr);
    expect(() => canonicalJson(arr)).toThrow(/cyclic/);
  });

  it('property: is a fixed point through JSON.parse', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const once = canonicalJson(value);
        expect(canonicalJson(JSON.parse(once))).toBe(once);
        expect(JSON.parse(once)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  /** Any UTF-16 code unit: quotes, backslashes, control characters, lone and paired surrogates. */
  const anyUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 12 });

  it('property: a string, as a value or a member name, is written as JSON.stringify writes it', () => {
    fc.assert(
      fc.property(anyUnits, (s) => {
        expect(canonicalJson(s)).toBe(JSON.stringify(s));
        expect(canonicalJson({ [s]: [s] })).toBe(`{${JSON.stringify(s)}:[${JSON.stringify(s)}]}`);
      }),
      { numRuns: 500 },
    );
  });

  it('property: members come in the order of their names\' UTF-16 code units, for few and for many members', () => {
    fc.assert(
      fc.property(fc.uniqueArray(anyUnits, { maxLength: 60 }), (names) => {
        const obj: Record<string, number> = {};
        for (const n of names) obj[n] = 1;
        const expected = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        expect(canonicalJson(obj)).toBe(`{${expected.map((n) => `${JSON.stringify(n)}:1`).join(',')}}`);
      }),
    );
  });

  it('property: equal for every permutation of member order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer(), (value, seed) => {
        expect(canonicalJson(permuteKeys(value, seed))).toBe(canonicalJson(value));
      }),
    );
  });
});

/** What canonicalJsonAsStored stands for: the canonical JSON of the value after a JSON round trip. */
function afterRoundTrip(value: unknown): { out: string } | { threw: true } {
  try {
    return { out: canonicalJson(JSON.parse(JSON.stringify(value ?? null))) };
  } catch {
    return { threw: true };
  }
}

function asStored(value: unknown): { out: string } | { threw: true } {
  try {
    return { out: canonicalJsonAsStored(value) };
  } catch {
    return { threw: true };
  }
}

describe('canonicalJsonAsStored', () => {
  it('given values JSON.stringify changes, then it gives what the round trip gives', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    const value = {
      nan: NaN,
      inf: [Infinity, -Infinity, -0],
      gone: undefined,
      fn: () => 1,
      sym: Symbol('s'),
      inArray: [undefined, () => 1, Symbol('t')],
      map: new Map([[1, 2]]),
      set: new Set([1]),
      bytes: new Uint8Array([7, 8]),
      boxed: [Object(1), Object('s'), Object(false), Object(NaN)],
      at: new Date('2024-01-02T03:04:05.000Z'),
      own: { toJSON: (key: string) => `called with ${key}` },
      point: new Point(1, 2),
      'needs "escaping"\n': 1,
      ['__proto__']: 'own',
    };
    expect(asStored(value)).toEqual(afterRoundTrip(value));
    expect(canonicalJsonAsStored(value)).toContain('"inf":[null,null,0]');
    expect(canonicalJsonAsStored(undefined)).toBe('null');
  });

  it('given what the round trip refuses, then it throws too', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    for (const value of [1n, { n: 2n }, cyclic, () => 1, Symbol('s')]) {
      expect(afterRoundTrip(value)).toEqual({ threw: true });
      expect(() => canonicalJsonAsStored(value)).toThrow(TypeError);
    }
  });

  it('property: equals the canonical JSON of the value after a JSON round trip', () => {
    const anything = fc.anything({
      withBoxedValues: true,
      withMap: true,
      withSet: true,
      withTypedArray: true,
      withDate: true,
      withNullPrototype: true,
      withSparseArray: true,
      withObjectString: true,
      withBigInt: true,
    });
    fc.assert(
      fc.property(anything, (value) => {
        expect(asStored(value)).toEqual(afterRoundTrip(value));
      }),
      { numRuns: 500 },
    );
  });

  it('property: equals canonicalJson on JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJsonAsStored(value)).toBe(canonicalJson(value));
      }),
    );
  });
});
