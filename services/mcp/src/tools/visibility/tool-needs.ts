import type { ResourceRule } from '@chaperone/contracts';

/**
 * What one of a tool's requests needs the policy to allow: one of `verbs`, on `resource` when the
 * tool always uses the same one ("pods/exec"), else on any resource with `subresource` ("scale"),
 * else on anything. A tool whose every need no rule can ever grant is left out of tools/list.
 */
export interface ToolNeed {
  verbs: readonly string[];
  /** An API group's name ("" is the core group); any group when absent. */
  group?: string;
  /** A resource as rules name it: "pods/exec", "events". */
  resource?: string;
  /** A subresource of whatever resource the agent names: "scale". */
  subresource?: string;
}

const covers = (list: readonly string[] | undefined, entry: string) => (list ?? []).some((x) => x === '*' || x === entry);

function resourceCovered(rule: ResourceRule, need: ToolNeed): boolean {
  const resources = rule.resources ?? [];
  if (need.resource !== undefined) {
    const [parent] = need.resource.split('/');
    return resources.some((r) => r === '*' || r === need.resource || (need.resource?.includes('/') && r === `${parent}/*`));
  }
  if (need.subresource !== undefined) {
    return resources.some((r) => r === '*' || r.endsWith(`/${need.subresource}`) || r.endsWith('/*'));
  }
  return resources.length > 0;
}

/** Whether one rule (allow or approve: the review lists no deny) can grant the need. */
export function ruleGrants(rule: ResourceRule, need: ToolNeed): boolean {
  if (!need.verbs.some((v) => covers(rule.verbs, v))) return false;
  if (need.group !== undefined && !covers(rule.apiGroups, need.group)) return false;
  return resourceCovered(rule, need);
}

/** A tool with needs is usable when some rule grants one of them; one without needs always is. */
export function usable(needs: readonly ToolNeed[] | undefined, rules: readonly ResourceRule[]): boolean {
  if (needs === undefined) return true;
  return needs.some((need) => rules.some((rule) => ruleGrants(rule, need)));
}
