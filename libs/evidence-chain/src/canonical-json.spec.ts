import fc from 'fast-check';
import { canonicalJson, CanonicalJsonError } from './canonical-json';

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

  it('property: equal for every permutation of member order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer(), (value, seed) => {
        expect(canonicalJson(permuteKeys(value, seed))).toBe(canonicalJson(value));
      }),
    );
  });
});
