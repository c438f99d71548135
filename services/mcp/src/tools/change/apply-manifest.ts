import { z } from 'zod';
import { typeName } from '../../discovery/resource-index';
import { apiPath, namespaceFor } from '../../kube/paths';
import { Args } from '../args';
import { pendingApproval } from '../answer';
import { failureResult, pendingResult, textResult, type PendingApproval } from '../results';
import { defineTool } from '../tool-definition';
import { MAX_MANIFEST_CHARS, parseManifest } from './manifest';

/** kubectl's convention for who owns the applied fields; the caller may name their own. */
const DEFAULT_FIELD_MANAGER = 'chaperone-mcp';

export const applyManifest = defineTool({
  name: 'apply_manifest',
  title: 'Apply a manifest (server-side apply)',
  description:
    'Create or update objects from YAML or JSON (kubectl apply --server-side): several documents and List items are applied one by one. ' +
    'A change that needs a human approval returns "pending" with the approval id; once approved, repeat the identical call.',
  input: {
    manifest: z.string().min(1).max(MAX_MANIFEST_CHARS).describe('the YAML or JSON manifest (several documents separated by ---)'),
    namespace: Args.namespace.describe('the namespace for objects that name none (default "default")'),
    fieldManager: z.string().min(1).max(128).optional().describe(`the field manager (default "${DEFAULT_FIELD_MANAGER}")`),
    force: z.boolean().optional().describe('take over fields another manager owns (--force-conflicts)'),
    dryRun: z.boolean().optional().describe('ask the server to validate without persisting (--dry-run=server)'),
    reason: Args.reason,
  },
  hints: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
  needs: [{ verbs: ['patch'] }],
  async run(args, ctx) {
    const objects = parseManifest(args.manifest);
    const done: string[] = [];
    const failed: string[] = [];
    const pending: PendingApproval[] = [];
    let lastFailure;
    // Every object is tried, so one call opens every approval the manifest needs at once, and the
    // repeated call after the grants runs them all.
    // Every kind is resolved before anything is sent: a typo in the last document changes nothing.
    const resolved = [];
    for (const o of objects) resolved.push({ o, resource: await ctx.kube.byKind(o.apiVersion, o.kind) });
    for (const { o, resource } of resolved) {
      const namespace = namespaceFor(resource, o.namespace ?? args.namespace);
      const query: [string, string][] = [['fieldManager', args.fieldManager ?? DEFAULT_FIELD_MANAGER]];
      if (args.force) query.push(['force', 'true']);
      if (args.dryRun) query.push(['dryRun', 'All']);
      const label = `${typeName(resource)}/${o.name}${namespace ? ` in ${namespace}` : ''}`;
      const answer = await ctx.kube.send(
        {
          method: 'PATCH',
          path: apiPath({ resource, namespace, name: o.name }),
          query,
          contentType: 'application/apply-patch+yaml',
          // JSON is YAML, and what kubectl sends: the same manifest gives the same bytes on a retry.
          body: JSON.stringify(o.object),
        },
        { ...ctx, ...(args.reason ? { reason: args.reason } : {}) },
      );
      if (answer.kind === 'ok') done.push(`${label} serverside-applied${args.dryRun ? ' (server dry run)' : ''}`);
      else if (answer.kind === 'pending') pending.push(await pendingApproval(ctx, answer.ticket, `apply ${label}`));
      else {
        lastFailure = answer.failure;
        failed.push(`${label} failed: ${answer.failure.reason}: ${answer.failure.message}`);
      }
    }
    if (pending.length) return pendingResult(pending, { tool: 'apply_manifest', arguments: args }, [...done, ...failed]);
    if (failed.length === 1 && done.length === 0 && lastFailure) return failureResult(lastFailure);
    const text = [...done, ...failed].join('\n');
    return failed.length ? { ...textResult(text), isError: true } : textResult(text);
  },
});
