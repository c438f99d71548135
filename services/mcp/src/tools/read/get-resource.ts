import { z } from 'zod';
import { apiPath, namespaceFor } from '../../kube/paths';
import { Args } from '../args';
import { jsonOf, resultOf } from '../answer';
import { objectText } from '../render';
import { cut, textResult } from '../results';
import { defineTool } from '../tool-definition';

export const getResource = defineTool({
  name: 'get_resource',
  title: 'Get a Kubernetes object',
  description:
    'Read one object (kubectl get <type> <name> -o yaml), without managedFields. Secret values and credentials in it come back masked by Chaperone.',
  input: {
    resource: Args.resource,
    name: Args.name,
    namespace: Args.namespace,
    output: z.enum(['yaml', 'json']).optional().describe('yaml (default) or json'),
  },
  hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  needs: [{ verbs: ['get'] }],
  async run(args, ctx) {
    const resource = await ctx.kube.resolve(args.resource);
    const namespace = namespaceFor(resource, args.namespace);
    return resultOf(
      await ctx.kube.send({ method: 'GET', path: apiPath({ resource, namespace, name: args.name }) }, ctx),
      ctx,
      { request: `get ${resource.resource} ${args.name}${namespace ? ` in ${namespace}` : ''}`, retry: { tool: 'get_resource', arguments: args } },
      (ok) => {
        const doc = jsonOf(ok.body);
        const shown = doc === undefined ? ok.body : objectText(doc, args.output ?? 'yaml');
        return textResult(cut(shown, ctx.limits.maxOutputChars, 'Use list_resources with output "names" or a fieldSelector to find smaller objects.'));
      },
    );
  },
});
