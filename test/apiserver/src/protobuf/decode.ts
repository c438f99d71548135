import { badRequest, ApiError, failure } from '../status';
import { KubeObject, nowTimestamp } from '../types';
import { FieldDef, KIND_SCHEMAS, Scalar, Schema } from './schema';
import { WireValue, readFields } from './wire';

/**
 * Decodes a `application/vnd.kubernetes.protobuf` request body (the "k8s\0" magic + runtime.Unknown
 * envelope) into the JSON object the real server would have built, for the kinds in KIND_SCHEMAS.
 */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

function isZero(v: unknown): boolean {
  if (v === '' || v === 0 || v === false || v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

function str(v: WireValue): string {
  return v.wire === 2 ? v.value.toString('utf8') : '';
}

function int(v: WireValue): number {
  return v.wire === 0 ? Number(BigInt.asIntN(64, v.value)) : 0;
}

function scalar(type: Scalar, v: WireValue): unknown {
  switch (type) {
    case 'string': return str(v);
    case 'bytes': return v.wire === 2 ? v.value.toString('base64') : '';
    case 'int': return int(v);
    case 'bool': return v.wire === 0 && v.value !== 0n;
    case 'quantity': {
      const f = v.wire === 2 ? readFields(v.value).find((x) => x.num === 1) : undefined;
      return f ? str(f.v) : '';
    }
    case 'time': {
      if (v.wire !== 2) return null;
      const secs = readFields(v.value).find((x) => x.num === 1);
      if (!secs) return null;
      return nowTimestamp(new Date(int(secs.v) * 1000));
    }
    case 'intstr': {
      if (v.wire !== 2) return 0;
      const fs = readFields(v.value);
      const type = fs.find((x) => x.num === 1);
      if (type && int(type.v) === 1) {
        const sv = fs.find((x) => x.num === 3);
        return sv ? str(sv.v) : '';
      }
      const iv = fs.find((x) => x.num === 2);
      return iv ? int(iv.v) : 0;
    }
  }
  return undefined;
}

function value(def: FieldDef, v: WireValue): unknown {
  const t = def.type;
  if (typeof t === 'string') return scalar(t, v);
  if ('msg' in t) return v.wire === 2 ? message(t.msg, v.value) : {};
  return undefined;
}

export function message(schema: Schema, buf: Buffer): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { num, v } of readFields(buf)) {
    const def = schema[num];
    if (!def) continue;
    const t = def.type;
    if (typeof t === 'object' && 'map' in t) {
      if (v.wire !== 2) continue;
      const entry = readFields(v.value);
      const k = entry.find((x) => x.num === 1);
      const val = entry.find((x) => x.num === 2);
      const vt = t.map;
      const decoded = val ? (typeof vt === 'string' ? scalar(vt, val.v) : val.v.wire === 2 ? message(vt.msg, val.v.value) : {}) : '';
      const target = (out[def.name] ??= {}) as Record<string, unknown>;
      target[k ? str(k.v) : ''] = decoded;
      continue;
    }
    const decoded = value(def, v);
    if (def.repeated) ((out[def.name] ??= []) as unknown[]).push(decoded);
    else out[def.name] = decoded;
  }
  for (const [num, def] of Object.entries(schema)) {
    void num;
    if (def.name in out && !def.keep && isZero(out[def.name])) delete out[def.name];
  }
  return out;
}

export function decodeKubeProtobuf(body: Buffer): KubeObject {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw badRequest('provided protobuf object does not start with the expected Kubernetes prefix');
  const envelope = readFields(body.subarray(4));
  const typeMeta = envelope.find((f) => f.num === 1);
  const raw = envelope.find((f) => f.num === 2);
  const tm = typeMeta && typeMeta.v.wire === 2 ? readFields(typeMeta.v.value) : [];
  const apiVersionField = tm.find((f) => f.num === 1);
  const kindField = tm.find((f) => f.num === 2);
  const apiVersion = apiVersionField ? str(apiVersionField.v) : '';
  const kind = kindField ? str(kindField.v) : '';
  const schema = KIND_SCHEMAS[kind];
  if (!schema || !raw || raw.v.wire !== 2) {
    throw new ApiError(failure(415, 'UnsupportedMediaType', `the test API server cannot decode protobuf for kind "${kind}"; send application/json`));
  }
  const obj = message(schema, raw.v.value) as KubeObject;
  obj.metadata ??= {};
  return { apiVersion, kind, ...obj };
}
