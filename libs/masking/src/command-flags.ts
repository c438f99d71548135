import { MASK } from './constants';
import { matchesAny } from './profile';

const FLAG_WITH_VALUE = /^(--?)([A-Za-z0-9][A-Za-z0-9_.-]*)=([\s\S]*)$/;
const BARE_FLAG = /^--?([A-Za-z0-9][A-Za-z0-9_.-]*)$/;

/**
 * `--password=x` / `-token=x`: the flag kept, its value masked. Undefined when `s` is not of the
 * `--flag=value` form, null when it is but there is nothing to mask (not a secret name, empty or
 * already masked value).
 */
export function maskedFlagAssignment(s: string, names: readonly RegExp[]): string | null | undefined {
  const eq = FLAG_WITH_VALUE.exec(s);
  if (!eq) return undefined;
  const value = eq[3] ?? '';
  if (value !== '' && value !== MASK && matchesAny(names, eq[2] ?? '')) return `${eq[1] ?? ''}${eq[2] ?? ''}=${MASK}`;
  return null;
}

/** `--password` alone: the next element (a string that is not already MASK) is its value. */
export function isBareSecretFlag(s: string, names: readonly RegExp[]): boolean {
  const bare = BARE_FLAG.exec(s);
  return bare !== null && matchesAny(names, bare[1] ?? '');
}
