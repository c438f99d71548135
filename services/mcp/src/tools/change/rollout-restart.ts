import { z } from 'zod';
import { typeName } from '../../discovery/resource-index';
import { BadArguments } from '../../errors';
import { apiPath, namespaceFor } from '../../kube/paths';
import { Args } from '../args';
import { resultOf } from '../answer';
import { textResult } from '../results';
import { defineTool } from '../tool-definition';

/** The annotation kubectl rollout restart sets; a new value makes the controller roll the pods. */
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
const RESTARTABLE = new Set(['apps/deployments', 'apps/statefulsets', 'apps/daemonsets']);

/** RFC 3339 in seconds, as kubectl writes it. */
export function restartStamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const rolloutRestart = defineTool({
  name: 'rollout_restart',
  title: 'Restart a rollout',
  description:
    'Restart the pods of a deployment, statefulset or daemonset (kubectl rollout restart). A restart that needs a human approval returns "pending" ' +
    'with the exact arguments to repeat (they pin restartedAt, so the repeated call is the identical request and runs once).',
  input: {
    resource: Args.resource.optional().describe('deployments (default), statefulsets or daemonsets'),
    name: Args.name,
    namespace: Args.namespace,
    restartedAt: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'an RFC 3339 UTC time in seconds, e.g. 2026-01-02T15:04:05Z')
      .optional()
      .describe('the restart stamp; leave it out (now) unless repeating an approved call, which names it'),
    reason: Args.reason,
  },
  hints: { readOnlyHint: false, destructiveHint: true, idempotentHint: false },
  needs: [{ verbs: ['patch'] }],
  async run(args, ctx) {
    const resource = await ctx.kube.resolve(args.resource ?? 'deployments.apps');
    if (!RESTARTABLE.has(`${resource.group}/${resource.resource}`)) throw new BadArguments(`${resource.resource} cannot be restarted: only deployments, statefulsets and daemonsets`);
    const namespace = namespaceFor(resource, args.namespace);
    const restartedAt = args.restartedAt ?? restartStamp(ctx.now());
    const label = `${typeName(resource)}/${args.name}`;
    return resultOf(
      await ctx.kube.send(
        {
          method: 'PATCH',
          path: apiPath({ resource, namespace, name: args.name }),
          contentType: 'application/strategic-merge-patch+json',
          body: JSON.stringify({ spec: { template: { metadata: { annotations: { [RESTARTED_AT]: restartedAt } } } } }),
        },
        { ...ctx, ...(args.reason ? { reason: args.reason } : {}) },
      ),
      ctx,
      {
        request: `restart ${resource.resource} ${args.name}${namespace ? ` in ${namespace}` : ''}`,
        // The stamp is part of the request: the repeat must carry the same one to be the approved request.
        retry: { tool: 'rollout_restart', arguments: { ...args, restartedAt } },
      },
      () => textResult(`${label} restarted (restartedAt ${restartedAt})`),
    );
  },
});
