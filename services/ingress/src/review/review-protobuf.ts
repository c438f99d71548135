/**
 * kubectl sends its reviews as Kubernetes protobuf (`application/vnd.kubernetes.protobuf`): the
 * magic `k8s\0`, then a runtime.Unknown whose field 2 holds the object. Only the review's spec is
 * read here, with the field numbers of k8s.io/api/authorization/v1/generated.proto; anything else
 * in the message is skipped. The result has the JSON form's shape ({ spec: {...} }).
 */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export class ProtobufUnreadable extends Error {}

export function isKubeProtobuf(body: Buffer): boolean {
  return body.length >= 4 && body.subarray(0, 4).equals(MAGIC);
}

export function reviewFromProtobuf(body: Buffer, kind: 'access' | 'rules'): { spec: Record<string, unknown> } {
  const unknown = fields(body.subarray(4));
  const raw = unknown.get(2)?.[0];
  if (!raw) throw new ProtobufUnreadable('no object in the envelope');
  const spec = fields(raw).get(2)?.[0];
  if (!spec) return { spec: {} };
  const s = fields(spec);
  const out: Record<string, unknown> = {};
  const first = s.get(1)?.[0];
  // SelfSubjectRulesReviewSpec: 1 namespace (string).
  if (kind === 'rules') return { spec: first ? { namespace: first.toString('utf8') } : {} };
  // SelfSubjectAccessReviewSpec: 1 ResourceAttributes, 2 NonResourceAttributes.
  if (first) out['resourceAttributes'] = strings(first, ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name']);
  const second = s.get(2)?.[0];
  if (second) out['nonResourceAttributes'] = strings(second, ['path', 'verb']);
  return { spec: out };
}

/** The string fields 1..n of a message, named; absent or non-UTF-8 fields are left out. */
function strings(message: Buffer, names: readonly string[]): Record<string, string> {
  const f = fields(message);
  const out: Record<string, string> = {};
  names.forEach((name, i) => {
    const v = f.get(i + 1)?.[0];
    if (v !== undefined) out[name] = v.toString('utf8');
  });
  return out;
}

/** Length-delimited fields by number; varint and fixed fields are skipped. */
function fields(buf: Buffer): Map<number, Buffer[]> {
  const out = new Map<number, Buffer[]>();
  let i = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (i >= buf.length || shift > 35) throw new ProtobufUnreadable('truncated varint');
      const b = buf[i++] as number;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    switch (key & 7) {
      case 0:
        varint();
        break;
      case 1:
        i += 8;
        break;
      case 5:
        i += 4;
        break;
      case 2: {
        const len = varint();
        if (i + len > buf.length) throw new ProtobufUnreadable('truncated field');
        const list = out.get(field) ?? [];
        list.push(buf.subarray(i, i + len));
        out.set(field, list);
        i += len;
        break;
      }
      default:
        throw new ProtobufUnreadable(`unsupported wire type ${key & 7}`);
    }
    if (i > buf.length) throw new ProtobufUnreadable('truncated field');
  }
  return out;
}
