import fc from 'fast-check';
import { DEFAULT_PROFILE, LAST_APPLIED_ANNOTATION, MASK, STRICT_PROFILE, maskObject, maskText } from './index';

/**
 * Kubernetes-like objects with planted secrets. Every generator yields the object and the list of
 * planted secret values (each at least 8 characters); masking must remove all of them.
 */
interface Planted<T = unknown> {
  value: T;
  planted: string[];
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** Random secret: no whitespace, quotes, backslashes, '@' or '*'; always mixed case + digit so it never equals a name. */
const secretString = fc
  .stringMatching(/^[A-Za-z0-9!#%+/=^_~.:-]{8,40}$/)
  .filter((s) => /[A-Z]/.test(s) && /[0-9]/.test(s) && /[a-z]/.test(s));

/** Lowercase names; never contain an upper-case letter, so they never collide with a planted secret. */
const word = fc.stringMatching(/^[a-z][a-z0-9]{1,10}$/);
const plainText = fc.array(word, { minLength: 0, maxLength: 4 }).map((ws) => ws.join(' '));

const SECRET_NAMES = ['password', 'DB_PASSWORD', 'passwd', 'client_secret', 'API_TOKEN', 'api-key', 'PRIVATE_KEY', 'credentials', 'AUTH', 'signing.key', 'github_token'];
const secretName = fc.tuple(fc.constantFrom(...SECRET_NAMES), fc.constantFrom('', '_1', '-prod')).map(([n, s]) => n + s);
/** Names that match none of the default patterns. */
const plainName = fc.constantFrom('LOG_LEVEL', 'DB_HOST', 'PORT', 'MODE', 'REGION', 'app.mode', 'replicas', 'feature_flags');

const alnum = (n: number, m: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[A-Za-z0-9]{${n},${m}}$`));
const b64url = (n: number, m: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[A-Za-z0-9_-]{${n},${m}}$`));

/** A string in the format of some detector; `secret` is the part that must disappear. */
const formattedSecret: fc.Arbitrary<{ text: string; secret: string }> = fc.oneof(
  alnum(36, 36).map((s) => ({ text: `ghp_${s}`, secret: `ghp_${s}` })),
  alnum(20, 30).map((s) => ({ text: `github_pat_${s}`, secret: `github_pat_${s}` })),
  b64url(20, 30).map((s) => ({ text: `glpat-${s}`, secret: `glpat-${s}` })),
  fc.tuple(fc.constantFrom('a', 'b', 'p', 'r', 's'), fc.stringMatching(/^[A-Za-z0-9-]{12,40}$/)).map(([t, s]) => ({ text: `xox${t}-${s}`, secret: `xox${t}-${s}` })),
  fc.tuple(fc.constantFrom('AKIA', 'ASIA'), fc.stringMatching(/^[A-Z0-9]{16}$/)).map(([p, s]) => ({ text: p + s, secret: p + s })),
  fc.tuple(b64url(8, 30), b64url(8, 60), b64url(16, 43)).map(([h, p, s]) => {
    const jwt = `eyJ${h}.eyJ${p}.${s}`;
    return { text: jwt, secret: jwt };
  }),
  secretString.map((s) => ({ text: `Bearer ${s}`, secret: s })),
  secretString.map((s) => ({ text: `Authorization: Basic ${s}`, secret: s })),
  fc.tuple(word, secretString.filter((s) => !s.includes('/'))).map(([u, s]) => ({ text: `postgres://${u}:${s}@db.prod:5432/app`, secret: s })),
  fc.tuple(secretName, secretString).map(([k, s]) => ({ text: `${k}=${s}`, secret: s })),
  fc.tuple(secretName, secretString).map(([k, s]) => ({ text: `"${k}": "${s}"`, secret: s })),
  fc.tuple(secretName, secretString).map(([k, s]) => ({ text: `--${k.toLowerCase()} ${s}`, secret: s })),
  secretString.map((s) => ({ text: `Server=db;User Id=sa;Password=${s};`, secret: s })),
  secretString.map((s) => ({ text: `aws_secret_access_key = ${s}`, secret: s })),
  fc.array(b64url(40, 64), { minLength: 1, maxLength: 3 }).map((lines) => ({
    text: ['-----BEGIN PRIVATE KEY-----', ...lines, '-----END PRIVATE KEY-----'].join('\n'),
    secret: lines[0] ?? '',
  })),
);

/** Free text with a planted detector-format secret somewhere in it. */
const textWithSecret: fc.Arbitrary<Planted<string>> = fc
  .tuple(plainText, formattedSecret, plainText, fc.constantFrom(' ', '\n', '\t'))
  .map(([a, f, b, sep]) => ({ value: [a, f.text, b].join(sep), planted: [f.secret] }));

const maybeText: fc.Arbitrary<Planted<string>> = fc.oneof(
  plainText.map((t) => ({ value: t, planted: [] as string[] })),
  textWithSecret,
);

function collect<T>(items: Planted<T>[]): Planted<T[]> {
  return { value: items.map((i) => i.value), planted: items.flatMap((i) => i.planted) };
}

const metadata: fc.Arbitrary<Planted<Record<string, unknown>>> = fc
  .tuple(word, word, fc.array(fc.tuple(word, maybeText), { maxLength: 3 }))
  .map(([name, namespace, anns]) => ({
    value: { name, namespace, annotations: Object.fromEntries(anns.map(([k, t]) => [`example.com/${k}`, t.value])) },
    planted: anns.flatMap(([, t]) => t.planted),
  }));

const secretObj: fc.Arbitrary<Planted<Record<string, unknown>>> = fc
  .tuple(
    metadata,
    fc.array(fc.tuple(fc.oneof(secretName, plainName, word), secretString), { minLength: 1, maxLength: 5 }),
    fc.array(fc.tuple(fc.oneof(secretName, plainName, word), secretString), { maxLength: 3 }),
    fc.boolean(),
  )
  .map(([meta, data, stringData, applied]) => {
    const value: Record<string, unknown> = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta.value,
      type: 'Opaque',
      data: Object.fromEntries(data.map(([k, v]) => [k, b64(v)])),
    };
    if (stringData.length > 0) value['stringData'] = Object.fromEntries(stringData.map(([k, v]) => [k, v]));
    if (applied) {
      (meta.value['annotations'] as Record<string, string>)[LAST_APPLIED_ANNOTATION] = JSON.stringify({ ...value, metadata: { name: meta.value['name'] } }) + '\n';
    }
    return { value, planted: [...meta.planted, ...data.map(([, v]) => v), ...stringData.map(([, v]) => v)] };
  });

const configMapObj: fc.Arbitrary<Planted<Record<string, unknown>>> = fc
  .tuple(metadata, fc.array(fc.tuple(secretName, secretString), { maxLength: 3 }), fc.array(fc.tuple(plainName, maybeText), { maxLength: 3 }), fc.array(fc.tuple(secretName, secretString), { maxLength: 2 }))
  .map(([meta, secretKeys, plainKeys, binary]) => ({
    value: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta.value,
      data: { ...Object.fromEntries(plainKeys.map(([k, t]) => [k, t.value])), ...Object.fromEntries(secretKeys) },
      binaryData: Object.fromEntries(binary.map(([k, v]) => [k, b64(v)])),
    },
    planted: [...meta.planted, ...secretKeys.map(([, v]) => v), ...plainKeys.flatMap(([, t]) => t.planted), ...binary.map(([, v]) => v)],
  }));

const envVar: fc.Arbitrary<Planted<Record<string, unknown>>> = fc.oneof(
  fc.tuple(secretName, secretString).map(([name, v]) => ({ value: { name, value: v }, planted: [v] })),
  fc.tuple(plainName, maybeText).map(([name, t]) => ({ value: { name, value: t.value }, planted: t.planted })),
  fc.tuple(secretName, word).map(([name, ref]) => ({ value: { name, valueFrom: { secretKeyRef: { name: ref, key: 'k' } } }, planted: [] as string[] })),
);

const argList: fc.Arbitrary<Planted<string[]>> = fc
  .array(
    fc.oneof(
      fc.tuple(secretName, secretString).map(([n, v]) => ({ value: [`--${n.toLowerCase()}=${v}`], planted: [v] })),
      fc.tuple(secretName, secretString).map(([n, v]) => ({ value: [`--${n.toLowerCase()}`, v], planted: [v] })),
      word.map((w) => ({ value: [`--${w}`], planted: [] as string[] })),
      maybeText.map((t) => ({ value: [t.value], planted: t.planted })),
    ),
    { maxLength: 4 },
  )
  .map((parts) => ({ value: parts.flatMap((p) => p.value), planted: parts.flatMap((p) => p.planted) }));

const container: fc.Arbitrary<Planted<Record<string, unknown>>> = fc
  .tuple(word, fc.array(envVar, { maxLength: 4 }), argList, argList)
  .map(([name, env, command, args]) => {
    const e = collect(env);
    return { value: { name, image: `${name}:1.0`, env: e.value, command: command.value, args: args.value }, planted: [...e.planted, ...command.planted, ...args.planted] };
  });

const podSpec: fc.Arbitrary<Planted<Record<string, unknown>>> = fc
  .tuple(fc.array(container, { minLength: 1, maxLength: 2 }), fc.array(container, { maxLength: 1 }), fc.array(container, { maxLength: 1 }))
  .map(([cs, init, eph]) => {
    const c = collect(cs);
    const i = collect(init);
    const e = collect(eph);
    return { value: { containers: c.value, initContainers: i.value, ephemeralContainers: e.value }, planted: [...c.planted, ...i.planted, ...e.planted] };
  });

const workload: fc.Arbitrary<Planted<Record<string, unknown>>> = fc
  .tuple(fc.constantFrom('Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'ReplicationController', 'CronJob'), metadata, podSpec, fc.boolean())
  .map(([kind, meta, spec, applied]) => {
    let s: Record<string, unknown>;
    if (kind === 'Pod') s = spec.value;
    else if (kind === 'CronJob') s = { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: spec.value } } } };
    else s = { replicas: 1, template: { metadata: { labels: { app: 'x' } }, spec: spec.value } };
    const value: Record<string, unknown> = { apiVersion: 'v1', kind, metadata: meta.value, spec: s };
    if (applied) {
      (meta.value['annotations'] as Record<string, string>)[LAST_APPLIED_ANNOTATION] = JSON.stringify({ apiVersion: 'v1', kind, metadata: { name: meta.value['name'] }, spec: s }) + '\n';
    }
    return { value, planted: [...meta.planted, ...spec.planted] };
  });

const k8sObject = fc.oneof(secretObj, configMapObj, workload);

/** Any response shape: a single object, a List, a typed list without item kinds, a Table, a watch event. */
const response: fc.Arbitrary<Planted> = fc.oneof(
  k8sObject,
  fc.array(k8sObject, { maxLength: 4 }).map((items) => {
    const c = collect(items);
    return { value: { kind: 'List', apiVersion: 'v1', metadata: {}, items: c.value }, planted: c.planted };
  }),
  fc.tuple(fc.constantFrom(['Secret', secretObj] as const, ['ConfigMap', configMapObj] as const), fc.nat({ max: 3 })).chain(([[kind, arb], n]) =>
    fc.array(arb, { minLength: n, maxLength: n }).map((items) => {
      const c = collect(items);
      const stripped = c.value.map(({ kind: _k, apiVersion: _a, ...rest }) => rest);
      return { value: { kind: `${kind}List`, apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: stripped }, planted: c.planted };
    }),
  ),
  fc.array(k8sObject, { maxLength: 3 }).map((items) => {
    const c = collect(items);
    return {
      value: {
        kind: 'Table',
        apiVersion: 'meta.k8s.io/v1',
        columnDefinitions: [{ name: 'Name', type: 'string' }],
        rows: c.value.map((o) => ({ cells: [(o['metadata'] as Record<string, unknown>)['name']], object: o })),
      },
      planted: c.planted,
    };
  }),
  fc.tuple(fc.constantFrom('ADDED', 'MODIFIED', 'DELETED'), k8sObject).map(([type, o]) => ({ value: { type, object: o.value }, planted: o.planted })),
);

/** Every leaf path with its JSON type (and every container path, so the key set is compared too). */
function shape(v: unknown, path = '$', out: string[] = []): string[] {
  if (Array.isArray(v)) {
    out.push(`${path}:array:${v.length}`);
    v.forEach((x, i) => shape(x, `${path}[${i}]`, out));
  } else if (v !== null && typeof v === 'object') {
    out.push(`${path}:object`);
    for (const [k, x] of Object.entries(v)) shape(x, `${path}.${JSON.stringify(k)}`, out);
  } else {
    out.push(`${path}:${v === null ? 'null' : typeof v}`);
  }
  return out;
}

function secretDataValues(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => secretDataValues(x, out));
  else if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o['kind'] === 'Secret' && o['data'] && typeof o['data'] === 'object') out.push(...Object.values(o['data'] as Record<string, string>));
    if (o['kind'] === 'SecretList' && Array.isArray(o['items'])) {
      for (const item of o['items'] as Record<string, unknown>[]) out.push(...Object.values((item['data'] ?? {}) as Record<string, string>));
    }
    Object.values(o).forEach((x) => secretDataValues(x, out));
  }
  return out;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

describe('property: maskObject', () => {
  it('never lets a planted secret (or its base64) through', () => {
    fc.assert(
      fc.property(response, fc.constantFrom(DEFAULT_PROFILE, STRICT_PROFILE), ({ value, planted }, profile) => {
        const out = JSON.stringify(maskObject(value, profile).value);
        for (const p of planted.filter((x) => x.length >= 8)) {
          if (out.includes(p)) throw new Error(`planted secret leaked (length ${p.length})`);
          if (out.includes(b64(p))) throw new Error('planted secret leaked as base64');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the key structure and JSON types, and leaves the input untouched', () => {
    fc.assert(
      fc.property(response, ({ value }) => {
        const before = JSON.stringify(value);
        const out = maskObject(value, DEFAULT_PROFILE).value;
        expect(JSON.stringify(value)).toBe(before);
        expect(shape(out)).toEqual(shape(value));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps Secret data valid base64', () => {
    fc.assert(
      fc.property(response, ({ value }) => {
        for (const d of secretDataValues(maskObject(value, DEFAULT_PROFILE).value)) expect(d).toMatch(BASE64);
      }),
      { numRuns: 200 },
    );
  });

  it('reports hits without ever quoting a planted value', () => {
    fc.assert(
      fc.property(response, ({ value, planted }) => {
        const { report } = maskObject(value, DEFAULT_PROFILE);
        const text = JSON.stringify(report);
        for (const p of planted) expect(text.includes(p)).toBe(false);
        if (planted.length > 0) expect(report.count).toBeGreaterThan(0);
        expect(Object.values(report.detectors).reduce((a, b) => a + b, 0)).toBe(report.count);
      }),
      { numRuns: 200 },
    );
  });

  it('is idempotent: masking masked output changes nothing', () => {
    fc.assert(
      fc.property(response, ({ value }) => {
        const once = maskObject(value, DEFAULT_PROFILE).value;
        const twice = maskObject(once, DEFAULT_PROFILE);
        expect(twice.value).toEqual(once);
      }),
      { numRuns: 100 },
    );
  });
});

describe('property: maskText', () => {
  it('never lets a planted detector-format secret through', () => {
    fc.assert(
      fc.property(fc.array(textWithSecret, { minLength: 1, maxLength: 5 }), (parts) => {
        const { text } = maskText(parts.map((p) => p.value).join('\n'), DEFAULT_PROFILE);
        for (const p of parts.flatMap((x) => x.planted)) {
          if (text.includes(p)) throw new Error(`planted secret leaked (length ${p.length})`);
        }
        expect(text).toContain(MASK);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves text without secrets unchanged', () => {
    fc.assert(
      fc.property(fc.array(plainText, { maxLength: 6 }), (lines) => {
        const t = lines.join('\n');
        expect(maskText(t, STRICT_PROFILE).text).toBe(t);
      }),
    );
  });
});
