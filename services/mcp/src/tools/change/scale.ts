import { z } from 'zod';
import { typeName } from '../../discovery/resource-index';
import { BadArguments } from '../../errors';
import { apiPath, namespaceFor } from '../../kube/paths';
import { Args } from '../args';
import { jsonOf, resultOf } from '../answer';
import { textResult } from '../results';
import { defineTool } from '../tool-definition';

export const scale = defineTool({
  name: 'scale',
  title: 'Scale a workload',
  description:
    'Set the replica count of a deployment, statefulset or replicaset (kubectl scale), through its scale subresource. ' +
    'A change that needs a human approval returns "pending"; once approved, repeat the identical call.',
  input: {
    resource: Args.resource.optional().describe('the type (default deployments.apps)'),
    name: Args.name,
    namespace: Args.namespace,
    replicas: z.number().int().min(0).max(100_000).describe('the desired number of replicas'),
    reason: Args.reason,
  },
  hints: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
  needs: [{ verbs: ['patch'], subresource: 'scale' }],
  async run(args, ctx) {
    const resource = await ctx.kube.resolve(args.resource ?? 'deployments.apps');
    if (!resource.subresources.includes('scale')) throw new BadArguments(`${resource.resource} cannot be scaled (the server serves no scale subresource for it)`);
    const namespace = namespaceFor(resource, args.namespace);
    const label = `${typeName(resource)}/${args.name}`;
    return resultOf(
      await ctx.kube.send(
        {
          method: 'PATCH',
          path: apiPath({ resource, namespace, name: args.name, subresource: 'scale' }),
          contentType: 'application/merge-patch+json',
          body: JSON.stringify({ spec: { replicas: args.replicas } }),
        },
        { ...ctx, ...(args.reason ? { reason: args.reason } : {}) },
      ),
      ctx,
      { request: `scale ${resource.resource} ${args.name}${namespace ? ` in ${namespace}` : ''} to ${args.replicas}`, retry: { tool: 'scale', arguments: args } },
      (ok) => {
        const spec = (jsonOf(ok.body) as { spec?: { replicas?: number } } | undefined)?.spec;
        return textResult(`${label} scaled to ${spec?.replicas ?? args.replicas} replicas`);
      },
    );
  },
});
