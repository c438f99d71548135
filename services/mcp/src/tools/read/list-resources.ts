import { z } from 'zod';
import { typeName } from '../../discovery/resource-index';
import { apiPath, namespaceFor } from '../../kube/paths';
import { Args } from '../args';
import { jsonOf, resultOf } from '../answer';
import { namesText, objectText, tableText } from '../render';
import { cut, textResult } from '../results';
import { defineTool } from '../tool-definition';

/** kubectl get's server-side printing: the API server renders the columns. */
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

export const listResources = defineTool({
  name: 'list_resources',
  title: 'List Kubernetes resources',
  description:
    'List objects of one resource type (kubectl get <type>), as a table by default. Every call goes through Chaperone as you: ' +
    'its policy decides, secrets are masked, and the call is recorded.',
  input: {
    resource: Args.resource,
    namespace: Args.namespace,
    allNamespaces: z.boolean().optional().describe('list across all namespaces (kubectl get -A)'),
    labelSelector: z.string().max(1000).optional().describe('e.g. app=web,tier!=cache'),
    fieldSelector: z.string().max(1000).optional().describe('e.g. status.phase=Running'),
    limit: z.number().int().min(1).max(5000).optional().describe('at most this many objects (the answer then gives a continue token)'),
    continue: z.string().max(4096).optional().describe('the continue token of a previous limited list'),
    output: z.enum(['table', 'names', 'json', 'yaml']).optional().describe('table (default), names, or full objects as json/yaml'),
  },
  hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  needs: [{ verbs: ['list'] }],
  async run(args, ctx) {
    const resource = await ctx.kube.resolve(args.resource);
    const output = args.output ?? 'table';
    const namespace = args.allNamespaces ? undefined : namespaceFor(resource, args.namespace);
    const query: [string, string][] = [];
    if (args.labelSelector) query.push(['labelSelector', args.labelSelector]);
    if (args.fieldSelector) query.push(['fieldSelector', args.fieldSelector]);
    if (args.limit) query.push(['limit', String(args.limit)]);
    if (args.continue) query.push(['continue', args.continue]);
    const call = { method: 'GET' as const, path: apiPath({ resource, namespace }), query, accept: output === 'table' ? TABLE_ACCEPT : 'application/json' };
    const where = resource.namespaced ? (namespace === undefined ? ' in all namespaces' : ` in ${namespace}`) : '';
    return resultOf(
      await ctx.kube.send(call, ctx),
      ctx,
      { request: `list ${resource.resource}${where}`, retry: { tool: 'list_resources', arguments: args } },
      (ok) => {
        const doc = jsonOf(ok.body);
        const next = (doc as { metadata?: { continue?: string } } | undefined)?.metadata?.continue;
        let shown: string;
        if (doc === undefined) shown = ok.body;
        else if (output === 'table' && (doc as { kind?: string }).kind === 'Table') shown = tableText(doc, resource.namespaced && namespace === undefined);
        else if (output === 'table' || output === 'names') shown = namesText(doc, typeName(resource));
        else shown = objectText(doc, output);
        if (next) shown += `\n[more objects: call again with continue "${next}"]`;
        return textResult(cut(shown, ctx.limits.maxOutputChars, 'Narrow it with namespace, labelSelector, fieldSelector or limit.'));
      },
    );
  },
});
