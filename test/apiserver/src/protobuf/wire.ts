/** Protocol-buffers wire format, reading only: enough to walk any message field by field. */
export type WireValue =
  | { wire: 0; value: bigint }
  | { wire: 1; value: Buffer }
  | { wire: 2; value: Buffer }
  | { wire: 5; value: Buffer };

export interface WireField {
  num: number;
  v: WireValue;
}

export function readFields(buf: Buffer): WireField[] {
  const out: WireField[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new Error('truncated varint');
      const b = buf[pos++] ?? 0;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const tag = Number(varint());
    const num = tag >>> 3;
    const wire = tag & 7;
    switch (wire) {
      case 0: out.push({ num, v: { wire: 0, value: varint() } }); break;
      case 1: out.push({ num, v: { wire: 1, value: buf.subarray(pos, pos + 8) } }); pos += 8; break;
      case 2: {
        const len = Number(varint());
        if (pos + len > buf.length) throw new Error('truncated length-delimited field');
        out.push({ num, v: { wire: 2, value: buf.subarray(pos, pos + len) } });
        pos += len;
        break;
      }
      case 5: out.push({ num, v: { wire: 5, value: buf.subarray(pos, pos + 4) } }); pos += 4; break;
      default: throw new Error(`unsupported wire type ${wire}`);
    }
  }
  return out;
}
