import { z } from 'zod';
import { typeName } from '../../discovery/resource-index';
import { apiPath, namespaceFor } from '../../kube/paths';
import { Args } from '../args';
import { resultOf } from '../answer';
import { textResult } from '../results';
import { defineTool } from '../tool-definition';

export const deleteResource = defineTool({
  name: 'delete_resource',
  title: 'Delete a Kubernetes object',
  description:
    'Delete one object (kubectl delete <type> <name>). A deletion that needs a human approval returns "pending" with the approval id; ' +
    'once approved, repeat the identical call and it runs once.',
  input: {
    resource: Args.resource,
    name: Args.name,
    namespace: Args.namespace,
    gracePeriodSeconds: z.number().int().min(0).max(86_400).optional().describe('seconds the object gets to stop (0 = at once)'),
    propagationPolicy: z.enum(['Foreground', 'Background', 'Orphan']).optional().describe('what happens to dependents (default: the server\'s)'),
    dryRun: z.boolean().optional().describe('ask the server to check without deleting (--dry-run=server)'),
    reason: Args.reason,
  },
  hints: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
  needs: [{ verbs: ['delete'] }],
  async run(args, ctx) {
    const resource = await ctx.kube.resolve(args.resource);
    const namespace = namespaceFor(resource, args.namespace);
    // DeleteOptions only when an option is given, in a fixed order: the same arguments, the same bytes.
    const options: Record<string, unknown> = {};
    if (args.gracePeriodSeconds !== undefined) options['gracePeriodSeconds'] = args.gracePeriodSeconds;
    if (args.propagationPolicy) options['propagationPolicy'] = args.propagationPolicy;
    const hasOptions = Object.keys(options).length > 0;
    const body = hasOptions ? JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', ...options }) : undefined;
    const label = `${typeName(resource)} "${args.name}"`;
    return resultOf(
      await ctx.kube.send(
        {
          method: 'DELETE',
          path: apiPath({ resource, namespace, name: args.name }),
          query: args.dryRun ? [['dryRun', 'All']] : [],
          ...(body ? { body, contentType: 'application/json' } : {}),
        },
        { ...ctx, ...(args.reason ? { reason: args.reason } : {}) },
      ),
      ctx,
      { request: `delete ${resource.resource} ${args.name}${namespace ? ` in ${namespace}` : ''}`, retry: { tool: 'delete_resource', arguments: args } },
      () => textResult(`${label} deleted${args.dryRun ? ' (server dry run)' : ''}`, { status: 'done', deleted: { resource: typeName(resource), name: args.name, ...(namespace ? { namespace } : {}) } }),
    );
  },
});
