import { z } from 'zod';
import { DEFAULT_DENY_RULE, Effects, KubeVerbs, MaskProfiles, RecordingFailureModes, RecordLevels } from '@chaperone/contracts';
import { ApprovalOptionsSchema } from './approval-options';

/**
 * The policy document, shaped like Kubernetes RBAC PolicyRules so operators can read it at a
 * glance. Every object is strict: a typo such as `verb:` must fail loudly, because a silently
 * ignored field in a *deny* rule is a security hole, not a cosmetic problem.
 *
 * Checks that span several fields (duplicate names, resource vs non-resource rules) live in
 * `policyRuleIssues` below rather than in zod refinements, because zod skips refinements on an
 * object as soon as any of its fields is invalid — and we want every problem reported at once.
 */

export const POLICY_API_VERSION = 'chaperone.dev/v1alpha1';
export const POLICY_KIND = 'Policy';

const WILDCARD = '*';

const nonEmptyString = z.string().min(1, { error: 'must not be empty' });

/** Lists that, when present, must say something: an empty `verbs: []` matches nothing. */
const nonEmptyList = <T extends z.ZodType>(item: T) =>
  z.array(item).min(1, { error: 'must list at least one entry' });

const RULE_NAME = /^[a-z0-9.-]+$/;

const ruleName = nonEmptyString
  .max(253, { error: 'must be at most 253 characters' })
  .regex(RULE_NAME, { error: 'must contain only lower-case letters, digits, "-" and "."' })
  // Decisions name the winning rule; a user rule called "default-deny" would be indistinguishable
  // from "nothing matched" in the audit trail.
  .refine((name) => name !== DEFAULT_DENY_RULE, { error: `"${DEFAULT_DENY_RULE}" is reserved` });

const effect = z.enum(Effects, { error: `expected one of ${Effects.join('|')}` });

const subjects = z
  .strictObject({
    users: z.array(nonEmptyString).optional(),
    agents: z.array(nonEmptyString).optional(),
    groups: z.array(nonEmptyString).optional(),
  })
  // A rule with no subjects would match nobody; almost certainly a mistake.
  .refine((s) => (s.users?.length ?? 0) + (s.agents?.length ?? 0) + (s.groups?.length ?? 0) > 0, {
    error: 'must list at least one of users, agents or groups',
  });

/**
 * Resource-rule verbs are limited to what the API server's RequestInfo can produce: any other
 * word (a typo, or RBAC-only verbs such as "bind") could never match, so reject it up front.
 */
const resourceVerbs = [WILDCARD, ...KubeVerbs] as const;
const verb = nonEmptyString.regex(/^([a-z]+|\*)$/, { error: 'must be a lower-case verb or "*"' });

const apiGroup = z.string().refine((g) => !g.includes('/'), {
  error: 'API groups are named without a version: "apps", not "apps/v1" ("" is the core group)',
});

const RESOURCE = /^(\*|[a-z0-9][a-z0-9.-]*)(\/[a-z0-9][a-z0-9.-]*)?$/;
const resource = nonEmptyString
  // RBAC has no "pods/*": it would literally match nothing, so a deny rule written that way would
  // silently leave pods/exec open. Say so instead of accepting it.
  .refine((r) => !r.endsWith('/*'), {
    error:
      '"resource/*" is not an RBAC wildcard and would match nothing; use "*" (all resources and ' +
      'subresources), "pods/exec" (one subresource) or "*/exec" (a subresource of any resource)',
    abort: true,
  })
  .regex(RESOURCE, {
    error: 'must be "*", "*/subresource", "resource" or "resource/subresource" in lower case',
  });

/** RBAC treats "/foo*" as a prefix; a "*" anywhere else is literal and almost surely a mistake. */
const nonResourceURL = nonEmptyString.refine(
  (u) => u === WILDCARD || (u.startsWith('/') && !u.slice(0, -1).includes('*')),
  { error: 'must start with "/" and may only end with "*" (prefix match), or be "*"' },
);

export const PolicyRuleSchema = z.strictObject({
  name: ruleName,
  effect,
  subjects,
  verbs: nonEmptyList(verb),
  apiGroups: nonEmptyList(apiGroup).optional(),
  resources: nonEmptyList(resource).optional(),
  resourceNames: z.array(nonEmptyString).optional(),
  namespaces: z.array(z.string()).optional(),
  nonResourceURLs: nonEmptyList(nonResourceURL).optional(),
  reason: z.string().optional(),
  /** Bodies to keep as evidence: none (default), metadata (digests), request, or request-and-response (stored). */
  record: z.enum(RecordLevels).optional(),
  /** How stored bodies are kept: cap per body, retention, and what a blob-store outage does. */
  recording: z
    .strictObject({
      maxBodyBytes: z.number().int().min(0).max(64 * 1024 * 1024).optional(),
      retentionDays: z.number().int().min(1).max(3650).optional(),
      onStoreFailure: z.enum(RecordingFailureModes).optional(),
    })
    .optional(),
  /** Allow rules only: responses go to the agent unmasked (raw secret reads). Off by default. */
  unmasked: z.boolean().optional(),
  /** Masking profile for responses this rule matches: structural-only, default, or strict (adds PII). */
  maskProfile: z.enum(MaskProfiles).optional(),
  /** Approve rules only (and required there): who decides, how the request waits (see approval-options.ts). */
  approval: ApprovalOptionsSchema.optional(),
});

export const PolicyDocumentSchema = z.strictObject({
  apiVersion: z.literal(POLICY_API_VERSION, { error: `expected "${POLICY_API_VERSION}"` }),
  kind: z.literal(POLICY_KIND, { error: `expected "${POLICY_KIND}"` }),
  rules: z.array(PolicyRuleSchema),
});

export type PolicyDocument = z.infer<typeof PolicyDocumentSchema>;
export type PolicyRuleSpec = z.infer<typeof PolicyRuleSchema>;

/** A problem found in the document, located by its path (e.g. ['rules', 2, 'effect']). */
export interface PolicyIssue {
  path: (string | number)[];
  message: string;
  /** Point at the key rather than its value (unknown fields). */
  onKey?: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Cross-field checks, written defensively against unvalidated input so they can run alongside
 * the schema and report in the same pass.
 */
export function policyRuleIssues(raw: unknown): PolicyIssue[] {
  if (!isRecord(raw) || !Array.isArray(raw['rules'])) return [];
  const issues: PolicyIssue[] = [];
  const firstIndexByName = new Map<string, number>();

  raw['rules'].forEach((rule: unknown, i) => {
    if (!isRecord(rule)) return;
    const name = rule['name'];
    if (typeof name === 'string') {
      const first = firstIndexByName.get(name);
      if (first === undefined) firstIndexByName.set(name, i);
      else
        issues.push({
          path: ['rules', i, 'name'],
          message: `duplicate rule name "${name}" (first used by rules[${first}])`,
        });
    }

    const has = (key: string) => rule[key] !== undefined;
    if (rule['unmasked'] === true && rule['effect'] !== 'allow')
      issues.push({ path: ['rules', i, 'unmasked'], message: 'only an allow rule can let responses through unmasked', onKey: true });
    if (rule['effect'] === 'approve' && !has('approval'))
      issues.push({
        path: ['rules', i],
        message: 'an approve rule needs approval.approverGroups (who may approve), e.g. approval: { approverGroups: ["sre"] }',
      });
    if (has('approval') && typeof rule['effect'] === 'string' && rule['effect'] !== 'approve')
      issues.push({ path: ['rules', i, 'approval'], message: `only an approve rule can have approval options (this rule's effect is ${rule['effect']})`, onKey: true });
    const isResourceRule = has('apiGroups') || has('resources');
    if (has('nonResourceURLs')) {
      const conflicting = ['apiGroups', 'resources', 'resourceNames', 'namespaces'].filter(has);
      if (conflicting.length > 0)
        issues.push({
          path: ['rules', i, 'nonResourceURLs'],
          message: `a rule with nonResourceURLs cannot also have ${conflicting.join(', ')}; split it into two rules`,
          onKey: true,
        });
    } else if (!isResourceRule) {
      issues.push({
        path: ['rules', i],
        message: 'a rule needs either apiGroups and resources, or nonResourceURLs',
      });
    } else {
      for (const key of ['apiGroups', 'resources']) {
        if (!has(key))
          issues.push({ path: ['rules', i], message: `a resource rule needs ${key}` });
      }
      const verbs = rule['verbs'];
      if (Array.isArray(verbs)) {
        verbs.forEach((v: unknown, j) => {
          if (typeof v === 'string' && !(resourceVerbs as readonly string[]).includes(v))
            issues.push({
              path: ['rules', i, 'verbs', j],
              message: `unknown verb for resources; expected one of ${resourceVerbs.join('|')}`,
            });
        });
      }
    }
  });
  return issues;
}

/** The top-level and rule keys, for "did you mean" hints on unknown fields. */
export const KNOWN_KEYS: readonly string[] = [
  ...Object.keys(PolicyDocumentSchema.shape),
  ...Object.keys(PolicyRuleSchema.shape),
  'users',
  'agents',
  'groups',
  ...Object.keys(ApprovalOptionsSchema.shape),
];
