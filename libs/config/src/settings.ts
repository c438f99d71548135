import { z } from 'zod';
import type { Setting } from './load-config';

/** Builders for common setting forms; each parses the raw environment string. */
export const setting = {
  string(env: string, expected: string, defaultValue?: string, opts: { secret?: boolean } = {}): Setting<string> {
    return { env, expected, schema: z.string(), default: defaultValue, secret: opts.secret };
  },
  int(env: string, expected: string, defaultValue: string | undefined, min: number, max: number): Setting<number> {
    const schema = z
      .string()
      .regex(/^-?\d+$/, 'not a whole number')
      .transform(Number)
      .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
    return { env, expected, schema, default: defaultValue };
  },
  port(env: string, defaultValue?: string): Setting<number> {
    return setting.int(env, 'a TCP port number 0-65535 (0 picks a free port)', defaultValue, 0, 65535);
  },
  bool(env: string, expected: string, defaultValue?: string): Setting<boolean> {
    const schema = z
      .string()
      .refine((v) => ['true', 'false', '1', '0'].includes(v.toLowerCase()), 'not true/false')
      .transform((v) => v === '1' || v.toLowerCase() === 'true');
    return { env, expected, schema, default: defaultValue };
  },
  list(env: string, expected: string, defaultValue?: string): Setting<string[]> {
    const schema = z.string().transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    );
    return { env, expected, schema, default: defaultValue };
  },
  oneOf<T extends string>(env: string, values: readonly [T, ...T[]], defaultValue?: T): Setting<T> {
    return { env, expected: `one of ${values.join(', ')}`, schema: z.enum(values), default: defaultValue };
  },
  optional(env: string, expected: string, opts: { secret?: boolean } = {}): Setting<string | undefined> {
    return {
      env,
      expected,
      schema: z.string().transform((v) => (v === '' ? undefined : v)),
      default: '',
      secret: opts.secret,
    };
  },
};
