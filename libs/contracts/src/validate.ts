import type { z } from 'zod';

/** A message that crossed a process boundary and did not match its contract. */
export class ContractViolation extends Error {
  constructor(
    readonly contract: string,
    readonly issues: string[],
  ) {
    super(`${contract} does not match its contract: ${issues.join('; ')}`);
    this.name = 'ContractViolation';
  }
}

/**
 * Validate what enters a process. Issue texts name the path and the problem, never the value,
 * so a malformed message carrying a secret does not leak it into logs.
 */
export function parseContract<S extends z.ZodType>(schema: S, contract: string, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ContractViolation(
    contract,
    result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
  );
}
