import fc from 'fast-check';
import { DEFAULT_PROFILE, MASK, STRICT_PROFILE, maskObject, maskText } from './index';
import { plainText, response, textWithSecret } from './testing/arbitraries';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

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
