import { z } from 'zod';
import type { AccessReviewStatus, RulesReviewStatus } from '@chaperone/contracts';
import { Args } from '../args';
import { jsonOf, resultOf } from '../answer';
import { cut, textResult } from '../results';
import { defineTool } from '../tool-definition';

const REVIEWS = '/apis/authorization.k8s.io/v1';
const DEFAULT_NAMESPACE = 'default';

/**
 * "What may I do here?", answered by Chaperone from its policy and the agent's registered scope:
 * the tool sends the same reviews `kubectl auth can-i` sends, through the ingress as the caller, so
 * the answer is the one a real request would get, and the question is evidence like any request.
 */
export const explainPermissions = defineTool({
  name: 'explain_permissions',
  title: 'Explain my permissions',
  description:
    'What Chaperone lets you do, from its policy and your registered scope. With verb and resource: whether that one request would be allowed, need a human approval, or be denied, and why (kubectl auth can-i VERB RESOURCE). Without them: every rule that applies to you in the namespace (kubectl auth can-i --list). Ask before trying something you are not sure of.',
  input: {
    verb: z.enum(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection']).optional().describe('the request verb to ask about'),
    resource: Args.resource.optional(),
    name: Args.name.optional(),
    namespace: Args.namespace,
  },
  hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  async run(args, ctx) {
    const namespace = args.namespace ?? DEFAULT_NAMESPACE;
    if (args.verb && args.resource) {
      const r = await ctx.kube.resolve(args.resource);
      const attributes = { verb: args.verb, group: r.group, version: r.version, resource: r.resource, ...(r.namespaced ? { namespace } : {}), ...(args.name ? { name: args.name } : {}) };
      const body = JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: attributes } });
      const what = `${args.verb} ${r.group ? `${r.resource}.${r.group}` : r.resource}${args.name ? ` "${args.name}"` : ''}${r.namespaced ? ` in namespace ${namespace}` : ''}`;
      return resultOf(await ctx.kube.send({ method: 'POST', path: `${REVIEWS}/selfsubjectaccessreviews`, body }, ctx), ctx, { request: `may I ${what}`, retry: { tool: 'explain_permissions', arguments: args } }, (ok) => {
        const status = (jsonOf(ok.body) as { status?: AccessReviewStatus } | undefined)?.status;
        if (!status) return textResult('Chaperone did not answer the question.');
        const verdict = status.allowed ? (status.reason?.startsWith('allowed once a human approves') ? 'yes, once a human approves it' : 'yes') : 'no';
        return textResult(`${what}: ${verdict}${status.reason ? ` (${status.reason})` : ''}${status.evaluationError ? ` [${status.evaluationError}]` : ''}`, { ...status });
      });
    }
    const body = JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } });
    return resultOf(await ctx.kube.send({ method: 'POST', path: `${REVIEWS}/selfsubjectrulesreviews`, body }, ctx), ctx, { request: `my rules in ${namespace}`, retry: { tool: 'explain_permissions', arguments: args } }, (ok) => {
      const status = (jsonOf(ok.body) as { status?: RulesReviewStatus } | undefined)?.status;
      if (!status) return textResult('Chaperone did not answer the question.');
      return textResult(cut(rulesText(namespace, status), ctx.limits.maxOutputChars, 'Ask about one verb and resource instead.'), { namespace, ...status });
    });
  },
});

function rulesText(namespace: string, s: RulesReviewStatus): string {
  const lines = [`In namespace ${namespace} you may (anything else is refused):`];
  for (const r of s.resourceRules) {
    const groups = (r.apiGroups ?? []).map((g) => (g === '' ? 'core' : g)).join(',');
    lines.push(`- ${r.verbs.join(',')} ${(r.resources ?? []).join(',')} (api groups ${groups})${r.resourceNames?.length ? ` named ${r.resourceNames.join(',')}` : ''}`);
  }
  for (const r of s.nonResourceRules) lines.push(`- ${r.verbs.join(',')} ${(r.nonResourceURLs ?? []).join(',')}`);
  if (s.evaluationError) lines.push(`Note: ${s.evaluationError}.`);
  return lines.join('\n');
}
