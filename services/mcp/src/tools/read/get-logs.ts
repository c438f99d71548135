import { z } from 'zod';
import { apiPath, namespaceFor } from '../../kube/paths';
import { Args } from '../args';
import { resultOf } from '../answer';
import { cut, textResult } from '../results';
import { defineTool } from '../tool-definition';

/** kubectl logs' own cap is unbounded; an agent's context is not. */
const DEFAULT_TAIL = 200;

export const getLogs = defineTool({
  name: 'get_logs',
  title: 'Read a pod\'s logs',
  description:
    `Read a container's log (kubectl logs), the last ${DEFAULT_TAIL} lines by default. Credentials in log lines come back masked by Chaperone.`,
  input: {
    pod: z.string().min(1).max(253).describe('the pod\'s name'),
    namespace: Args.namespace,
    container: z.string().min(1).max(253).optional().describe('the container (required when the pod has several)'),
    tailLines: z.number().int().min(0).max(100_000).optional().describe(`the last N lines (default ${DEFAULT_TAIL})`),
    sinceSeconds: z.number().int().min(1).max(30 * 86_400).optional().describe('only lines newer than this many seconds'),
    previous: z.boolean().optional().describe('the previous (crashed) instance of the container'),
    timestamps: z.boolean().optional().describe('prefix each line with its timestamp'),
  },
  hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  needs: [{ verbs: ['get'], group: '', resource: 'pods/log' }],
  async run(args, ctx) {
    const pods = await ctx.kube.resolve('pods');
    const namespace = namespaceFor(pods, args.namespace);
    const query: [string, string][] = [];
    if (args.container) query.push(['container', args.container]);
    query.push(['tailLines', String(args.tailLines ?? DEFAULT_TAIL)]);
    if (args.sinceSeconds) query.push(['sinceSeconds', String(args.sinceSeconds)]);
    if (args.previous) query.push(['previous', 'true']);
    if (args.timestamps) query.push(['timestamps', 'true']);
    return resultOf(
      await ctx.kube.send({ method: 'GET', path: apiPath({ resource: pods, namespace, name: args.pod, subresource: 'log' }), query, accept: '*/*' }, ctx),
      ctx,
      { request: `logs of pod ${args.pod} in ${namespace}`, retry: { tool: 'get_logs', arguments: args } },
      (ok) => textResult(cut(ok.body || '(the log is empty)', ctx.limits.maxOutputChars, 'Ask for fewer lines with tailLines or sinceSeconds.')),
    );
  },
});
