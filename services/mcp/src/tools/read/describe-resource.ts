import { apiPath, namespaceFor } from '../../kube/paths';
import { Args } from '../args';
import { jsonOf, resultOf } from '../answer';
import { eventsText, objectText } from '../render';
import { cut, textResult } from '../results';
import { defineTool, type ToolContext } from '../tool-definition';

interface About {
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
}

/** The events about one object, as kubectl describe selects them; a refusal becomes a line, not a failure. */
async function eventsAbout(ctx: ToolContext, about: About): Promise<string> {
  let events;
  try {
    events = await ctx.kube.resolve('events');
  } catch (e) {
    return `(events not available: ${e instanceof Error ? e.message : String(e)})`;
  }
  const fields = [`involvedObject.kind=${about.kind}`, `involvedObject.name=${about.name}`];
  if (about.namespace) fields.push(`involvedObject.namespace=${about.namespace}`);
  if (about.uid) fields.push(`involvedObject.uid=${about.uid}`);
  const answer = await ctx.kube.send({ method: 'GET', path: apiPath({ resource: events, namespace: about.namespace }), query: [['fieldSelector', fields.join(',')]] }, ctx);
  if (answer.kind === 'ok') {
    const doc = jsonOf(answer.body);
    return doc === undefined ? answer.body : eventsText(doc, false);
  }
  if (answer.kind === 'pending') return `(events not shown: reading them needs approval ${answer.ticket.approvalId})`;
  return `(events not shown: ${answer.failure.reason}: ${answer.failure.message})`;
}

export const describeResource = defineTool({
  name: 'describe_resource',
  title: 'Describe a Kubernetes object',
  description: 'An object and the events about it (like kubectl describe): the object as YAML without managedFields, then its events, oldest first.',
  input: { resource: Args.resource, name: Args.name, namespace: Args.namespace },
  hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  needs: [{ verbs: ['get'] }],
  async run(args, ctx) {
    const resource = await ctx.kube.resolve(args.resource);
    const namespace = namespaceFor(resource, args.namespace);
    const answer = await ctx.kube.send({ method: 'GET', path: apiPath({ resource, namespace, name: args.name }) }, ctx);
    const doc = answer.kind === 'ok' ? jsonOf(answer.body) : undefined;
    const meta = (doc as { metadata?: { uid?: string } } | undefined)?.metadata;
    const events = answer.kind === 'ok' ? await eventsAbout(ctx, { kind: resource.kind, name: args.name, namespace, uid: meta?.uid }) : '';
    return resultOf(
      answer,
      ctx,
      { request: `get ${resource.resource} ${args.name}${namespace ? ` in ${namespace}` : ''}`, retry: { tool: 'describe_resource', arguments: args } },
      (ok) => {
        const object = doc === undefined ? ok.body : objectText(doc, 'yaml');
        return textResult(cut(`${object}\nEvents:\n${events}`, ctx.limits.maxOutputChars, 'Use get_resource for the object alone, or list_events with a limit.'));
      },
    );
  },
});
