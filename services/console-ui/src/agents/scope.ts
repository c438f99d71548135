import type { AgentScope } from './types';

/** A registry scope as a sentence: "get, list on pods, secrets in default". */
export function scopeText(s: AgentScope | null): string {
  if (!s) return 'no registered scope';
  const groups = s.apiGroups ? ` (API groups: ${s.apiGroups.map((g) => g || 'core').join(', ')})` : '';
  return `${s.verbs.join(', ')} on ${s.resources.join(', ')}${groups} in ${s.namespaces.join(', ')}`;
}
