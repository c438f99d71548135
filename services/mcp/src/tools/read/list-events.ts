import { z } from 'zod';
import { apiPath, namespaceFor } from '../../kube/paths';
import { Args } from '../args';
import { jsonOf, resultOf } from '../answer';
import { eventsText } from '../render';
import { cut, textResult } from '../results';
import { defineTool } from '../tool-definition';

export const listEvents = defineTool({
  name: 'list_events',
  title: 'List Kubernetes events',
  description: 'List events (kubectl get events), oldest first: in a namespace, across all, or about one object.',
  input: {
    namespace: Args.namespace,
    allNamespaces: z.boolean().optional().describe('events of every namespace'),
    kind: z.string().min(1).max(100).optional().describe('only events about objects of this kind (Pod, Deployment)'),
    name: z.string().min(1).max(253).optional().describe('only events about the object of this name'),
    type: z.enum(['Normal', 'Warning']).optional().describe('only events of this type'),
    limit: z.number().int().min(1).max(5000).optional().describe('at most this many events'),
  },
  hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  needs: [{ verbs: ['list'], resource: 'events' }],
  async run(args, ctx) {
    const events = await ctx.kube.resolve('events');
    const namespace = args.allNamespaces ? undefined : namespaceFor(events, args.namespace);
    const fields: string[] = [];
    if (args.kind) fields.push(`involvedObject.kind=${args.kind}`);
    if (args.name) fields.push(`involvedObject.name=${args.name}`);
    if (args.type) fields.push(`type=${args.type}`);
    const query: [string, string][] = [];
    if (fields.length) query.push(['fieldSelector', fields.join(',')]);
    if (args.limit) query.push(['limit', String(args.limit)]);
    return resultOf(
      await ctx.kube.send({ method: 'GET', path: apiPath({ resource: events, namespace }), query }, ctx),
      ctx,
      { request: `list events${namespace ? ` in ${namespace}` : ' in all namespaces'}`, retry: { tool: 'list_events', arguments: args } },
      (ok) => {
        const doc = jsonOf(ok.body);
        const shown = doc === undefined ? ok.body : eventsText(doc, !args.name);
        return textResult(cut(shown, ctx.limits.maxOutputChars, 'Narrow it with namespace, kind, name, type or limit.'));
      },
    );
  },
});
