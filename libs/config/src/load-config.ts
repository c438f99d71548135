import { z } from 'zod';

/** One configuration key: where it comes from, what form it takes, and what it means. */
export interface Setting<T> {
  env: string;
  /** The expected form, shown when the value is wrong ("a port number 1-65535"). */
  expected: string;
  schema: z.ZodType<T, string>;
  /** Used when the variable is unset; omit to make the key required. */
  default?: string;
  /** Secret values are never echoed in errors. */
  secret?: boolean;
  /** How the docs state a default that depends on the machine (a core count), instead of this machine's value. */
  shownDefault?: string;
}

export type ConfigSpec = Record<string, Setting<unknown>>;
export type ConfigOf<S extends ConfigSpec> = { [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

/** A bad configuration: lists every wrong key at once so one restart fixes them all. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Validate the environment against a spec at start; a bad value stops the process with the key, the problem and the expected form. */
export function loadConfig<S extends ConfigSpec>(spec: S, env: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, setting] of Object.entries(spec)) {
    const raw = env[setting.env] ?? setting.default;
    if (raw === undefined) {
      problems.push(`${setting.env}: is required (expected ${setting.expected})`);
      continue;
    }
    const parsed = setting.schema.safeParse(raw);
    if (parsed.success) {
      out[key] = parsed.data;
    } else {
      const shown = setting.secret ? '(value hidden)' : JSON.stringify(raw);
      const why = parsed.error.issues.map((i) => i.message).join(', ');
      problems.push(`${setting.env}: ${shown} is not valid: ${why} (expected ${setting.expected})`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as ConfigOf<S>;
}

/** The default as docs state it: the machine-independent wording, "(unset)", "(required)" or the value. */
export function describeDefault(s: Setting<unknown>): string {
  if (s.shownDefault !== undefined) return s.shownDefault;
  if (s.default === undefined) return '(required)';
  return s.default === '' ? '(unset)' : `\`${s.default}\``;
}

/** Markdown table of a spec, so the configuration reference (docs/configuration.md) cannot drift from the code. */
export function describeConfig(spec: ConfigSpec): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/</g, '&lt;');
  const rows = Object.values(spec).map((s) => `| \`${s.env}\` | ${cell(s.expected)} | ${cell(describeDefault(s))} |`);
  return ['| variable | expected | default |', '|---|---|---|', ...rows].join('\n');
}
