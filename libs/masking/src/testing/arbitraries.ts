import fc from 'fast-check';
import { LAST_APPLIED_ANNOTATION } from '../constants';

/**
 * Kubernetes-like objects with planted secrets. Every generator yields the object and the list of
 * planted secret values (each at least 8 characters); masking must remove all of them.
 */
export interface Planted<T = unknown> {
  value: T;
  planted: string[];
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** Random secret: no whitespace, quotes, backslashes, '@' or '*'; always mixed case + digit so it never equals a name. */
export const secretString = fc
  .stringMatching(/^[A-Za-z0-9!#%+/=^_~.:-]{8,40}$/)
  .filter((s) => /[A-Z]/.test(s) && /[0-9]/.test(s) && /[a-z]/.test(s));

/** Lowercase names; never contain an upper-case letter, so they never collide with a planted secret. */
export const word = fc.stringMatching(/^[a-z][a-z0-9]{1,10}$/);
export const plainText = fc.array(word, { minLength: 0, maxLength: 4 }).map((ws) => ws.join(' '));

const SECRET_NAMES = ['password', 'DB_PASSWORD', 'passwd', 'client_secret', 'API_TOKEN', 'api-key', 'PRIVATE_KEY', 'credentials', 'AUTH', 'signing.key', 'github_token'];
export const secretName = fc.tuple(fc.constantFrom(...SECRET_NAMES), fc.constantFrom('', '_1', '-prod')).map(([n, s]) => n + s);
/** Names that match none of the default patterns. */
export const plainName = fc.constantFrom('LOG_LEVEL', 'DB_HOST', 'PORT', 'MODE', 'REGION', 'app.mode', 'replicas', 'feature_flags');

const alnum = (n: number, m: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[A-Za-z0-9]{${n},${m}}$`));
const b64url = (n: number, m: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[A-Za-z0-9_-]{${n},${m}}$`));

/** A string in the format of some detector; `secret` is the part that must disappear. */
export const formattedSecret: fc.Arbitrary<{ text: string; secret: string }> = fc.oneof(
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
export const textWithSecret: fc.Arbitrary<Planted<string>> = fc
  .tuple(plainText, formattedSecret, plainText, fc.constantFrom(' ', '\n', '\t'))
  .map(([a, f, b, sep]) => ({ value: [a, f.text, b].join(sep), planted: [f.secret] }));

export const maybeText: fc.Arbitrary<Planted<string>> = fc.oneof(
  plainText.map((t) => ({ value: t, planted: [] as string[] })),
  textWithSecret,
);

function collect<T>(items: Planted<T>[]): Planted<T[]> {
  return { value: items.map((i) => i.value), planted: items.flatMap((i) => i.planted) };
}

export const metadata: fc.Arbitrary<Planted<Record<string, unknown>>> = fc
  .tuple(word, word, fc.array(fc.tuple(word, maybeText), { maxLength: 3 }))
  .map(([name, namespace, anns]) => ({
    value: { name, namespace, annotations: Object.fromEntries(anns.map(([k, t]) => [`example.com/${k}`, t.value])) },
    planted: anns.flatMap(([, t]) => t.planted),
  }));

export const secretObj: fc.Arbitrary<Planted<Record<string, unknown>>> = fc
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

export const configMapObj: fc.Arbitrary<Planted<Record<string, unknown>>> = fc
  // Keys unique per map: a repeated key would overwrite a planted value that `planted` still lists.
  .tuple(
    metadata,
    fc.uniqueArray(fc.tuple(secretName, secretString), { maxLength: 3, selector: ([k]) => k }),
    fc.uniqueArray(fc.tuple(plainName, maybeText), { maxLength: 3, selector: ([k]) => k }),
    fc.uniqueArray(fc.tuple(secretName, secretString), { maxLength: 2, selector: ([k]) => k }),
  )
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

export const envVar: fc.Arbitrary<Planted<Record<string, unknown>>> = fc.oneof(
  fc.tuple(secretName, secretString).map(([name, v]) => ({ value: { name, value: v }, planted: [v] })),
  fc.tuple(plainName, maybeText).map(([name, t]) => ({ value: { name, value: t.value }, planted: t.planted })),
  fc.tuple(secretName, word).map(([name, ref]) => ({ value: { name, valueFrom: { secretKeyRef: { name: ref, key: 'k' } } }, planted: [] as string[] })),
);

export const argList: fc.Arbitrary<Planted<string[]>> = fc
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

export const container: fc.Arbitrary<Planted<Record<string, unknown>>> = fc
  .tuple(word, fc.array(envVar, { maxLength: 4 }), argList, argList)
  .map(([name, env, command, args]) => {
    const e = collect(env);
    return { value: { name, image: `${name}:1.0`, env: e.value, command: command.value, args: args.value }, planted: [...e.planted, ...command.planted, ...args.planted] };
  });

export const podSpec: fc.Arbitrary<Planted<Record<string, unknown>>> = fc
  .tuple(fc.array(container, { minLength: 1, maxLength: 2 }), fc.array(container, { maxLength: 1 }), fc.array(container, { maxLength: 1 }))
  .map(([cs, init, eph]) => {
    const c = collect(cs);
    const i = collect(init);
    const e = collect(eph);
    return { value: { containers: c.value, initContainers: i.value, ephemeralContainers: e.value }, planted: [...c.planted, ...i.planted, ...e.planted] };
  });

export const workload: fc.Arbitrary<Planted<Record<string, unknown>>> = fc
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

export const k8sObject = fc.oneof(secretObj, configMapObj, workload);

/** Any response shape: a single object, a List, a typed list without item kinds, a Table, a watch event. */
export const response: fc.Arbitrary<Planted> = fc.oneof(
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
