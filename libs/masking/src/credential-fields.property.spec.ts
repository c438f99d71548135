import fc from 'fast-check';
import { DEFAULT_PROFILE, MASK, STRICT_PROFILE, STRUCTURAL_ONLY_PROFILE, WatchStreamMasker, maskObject } from './index';

/**
 * Custom resources of unknown kinds with credentials planted under credential-named keys (in
 * camelCase, snake_case or kebab-case, with prefixes) at random depths, as a string or inside a
 * credential-named object or array. None may survive masking, on any read path.
 */
const secretValue = fc
  .stringMatching(/^[A-Za-z0-9!#%+/=^_~.:-]{10,40}$/)
  .filter((s) => /[A-Z]/.test(s) && /[0-9]/.test(s) && /[a-z]/.test(s) && !/^(?:true|false)$/i.test(s));

/** Credential names as words: `api key` becomes apiKey, API_KEY or api-key. */
const CREDENTIAL_WORDS: string[][] = [
  ['password'], ['passwd'], ['pwd'], ['secret'], ['token'], ['api', 'key'], ['access', 'key'], ['secret', 'key'], ['private', 'key'],
  ['client', 'secret'], ['connection', 'string'], ['credentials'], ['auth'], ['bearer'], ['passphrase'], ['secret', 'access', 'key'],
];
const PREFIXES: string[][] = [[], ['db'], ['admin'], ['root'], ['mysql', 'root'], ['s3'], ['upstream']];

function spell(ws: string[], style: 'camel' | 'snake' | 'kebab'): string {
  if (style === 'snake') return ws.join('_').toUpperCase();
  if (style === 'kebab') return ws.join('-');
  return ws.map((w, i) => (i === 0 ? w : w[0]?.toUpperCase() + w.slice(1))).join('');
}

const credentialKey = fc
  .tuple(fc.constantFrom(...PREFIXES), fc.constantFrom(...CREDENTIAL_WORDS), fc.constantFrom('camel' as const, 'snake' as const, 'kebab' as const))
  .map(([p, w, style]) => spell([...p, ...w], style));

/** Keys that never name a credential (including the Kubernetes ones that look like they do). */
const plainKey = fc.constantFrom(
  'spec', 'config', 'database', 'backup', 'settings', 'primary', 'replicas', 'host', 'region', 'endpoint', 'options', 'tier',
  'secretName', 'passwordPolicy', 'tokenExpirationSeconds', 'tokenAudiences', 'secretRef', 'credentialName', 'authMode', 'tokenUrl',
);
const plainValue = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/), fc.integer(), fc.boolean());

interface Planted {
  value: unknown;
  planted: string[];
}

/** A value held under a credential-named key: a string, or an object/array of them. */
const credentialValue: fc.Arbitrary<Planted> = fc.oneof(
  secretValue.map((s) => ({ value: s, planted: [s] })),
  fc.array(secretValue, { minLength: 1, maxLength: 3 }).map((ss) => ({ value: ss, planted: ss })),
  fc
    .array(fc.tuple(fc.constantFrom('user', 'username', 'value', 'data', 'pin', 'material', 'payload'), secretValue), { minLength: 1, maxLength: 3 })
    .map((kv) => ({ value: Object.fromEntries(kv), planted: [...new Map(kv).values()] })),
);

/** A tree of plain keys with credentials planted at random depths. */
const tree: fc.Arbitrary<Planted> = fc.letrec<{ node: Planted }>((tie) => ({
  node: fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: fc.tuple(plainKey, plainValue).map(([k, v]) => ({ k, p: { value: v, planted: [] as string[] } })) },
        { weight: 2, arbitrary: fc.tuple(credentialKey, credentialValue).map(([k, p]) => ({ k, p })) },
        { weight: 2, arbitrary: fc.tuple(plainKey, tie('node')).map(([k, p]) => ({ k, p })) },
        { weight: 1, arbitrary: fc.tuple(plainKey, fc.array(tie('node'), { maxLength: 2 })).map(([k, ps]) => ({ k, p: { value: ps.map((x) => x.value), planted: ps.flatMap((x) => x.planted) } })) },
      ),
      { maxLength: 5 },
    )
    .map((members) => {
      const value: Record<string, unknown> = {};
      const planted: string[] = [];
      for (const { k, p } of members) {
        if (k in value) continue; // first one wins; a later duplicate key would replace it
        value[k] = p.value;
        planted.push(...p.planted);
      }
      return { value, planted };
    }),
})).node;

const customResource: fc.Arbitrary<Planted> = fc.tuple(fc.stringMatching(/^[A-Z][a-z]{2,10}$/), tree, tree).map(([kind, spec, status]) => ({
  value: { apiVersion: 'example.com/v1', kind, metadata: { name: 'x', namespace: 'ns' }, spec: spec.value, status: status.value },
  planted: [...spec.planted, ...status.planted],
}));

/** get, list, Table row objects, a watch event. */
const response: fc.Arbitrary<Planted> = fc.oneof(
  customResource,
  fc.array(customResource, { maxLength: 3 }).map((items) => ({ value: { kind: 'WidgetList', apiVersion: 'example.com/v1', items: items.map((i) => i.value) }, planted: items.flatMap((i) => i.planted) })),
  fc.array(customResource, { maxLength: 3 }).map((items) => ({
    value: { kind: 'Table', apiVersion: 'meta.k8s.io/v1', columnDefinitions: [{ name: 'Name', type: 'string' }], rows: items.map((i) => ({ cells: ['x'], object: i.value })) },
    planted: items.flatMap((i) => i.planted),
  })),
  customResource.map((cr) => ({ value: { type: 'MODIFIED', object: cr.value }, planted: cr.planted })),
);

const profiles = fc.constantFrom(DEFAULT_PROFILE, STRICT_PROFILE, STRUCTURAL_ONLY_PROFILE);

describe('property: credential-named fields of custom resources', () => {
  it('never lets a value planted under a credential-named key through (get, list, Table, watch event)', () => {
    fc.assert(
      fc.property(response, profiles, ({ value, planted }, profile) => {
        const { value: out, report } = maskObject(value, profile);
        const json = JSON.stringify(out);
        for (const p of planted) if (json.includes(p)) throw new Error(`planted credential leaked (length ${p.length})`);
        if (planted.length > 0) expect(report.detectors['credential-key']).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('never lets one through a watch stream either', () => {
    fc.assert(
      fc.property(fc.array(customResource, { minLength: 1, maxLength: 3 }), (crs) => {
        const m = new WatchStreamMasker(DEFAULT_PROFILE);
        const out = m.push(crs.map((cr) => JSON.stringify({ type: 'ADDED', object: cr.value }) + '\n').join('')) + m.end();
        for (const p of crs.flatMap((cr) => cr.planted)) if (out.includes(p)) throw new Error('planted credential leaked');
      }),
      { numRuns: 100 },
    );
  });

  it('changes nothing but the planted credentials: same keys, same types, MASK in their place', () => {
    fc.assert(
      fc.property(customResource, ({ value, planted }) => {
        const out = JSON.stringify(maskObject(value, STRUCTURAL_ONLY_PROFILE).value);
        let expected = JSON.stringify(value);
        for (const p of planted) expected = expected.split(JSON.stringify(p)).join(JSON.stringify(MASK));
        expect(out).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
