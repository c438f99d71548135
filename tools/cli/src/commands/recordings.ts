import { randomUUID } from 'node:crypto';
import { bodyRefKey, planPrune, pruneRecordings, readRecordingsIndex, type PruneOutcome, type PrunePlan } from '@chaperone/evidence-chain';
import { option, rejectUnknownOptions } from '../args';
import { UsageError, type Command, type Io } from '../command';
import { EVIDENCE_OPTIONS, EVIDENCE_OPTIONS_USAGE, openEvidence } from './evidence-connection';

const USAGE = `usage: chaperone recordings prune [--now <ISO time>] [--dry-run] [--json] [--nats-url <url>]
                                 [--bus-prefix <prefix>] [--event-store jetstream|eventstoredb]
                                 [--blob-store jetstream|s3] [--blob-bucket <bucket>]

Deletes recorded bodies whose retention has passed: a body expires when its request completed more
than the retention days of the rule that decided it (recording.retentionDays) ago. A blob is
deleted only when no recording still within its retention has the same bytes (identical bodies
share one blob). The deletion is recorded in the evidence store, hash-chained, as RecordingsPruned
events in the stream "recordings" (which bodies, why, and what became of each blob), so
\`chaperone verify\` expects those blobs absent. Bodies whose decision has no retention terms are
kept. Run it with the identity allowed to delete blobs (docs/blob-store.md). Exit code 0: done
(or nothing to do); 1: a store could not be read or a blob could not be deleted; 2: bad usage.

  --now         compute retention as of this time (ISO 8601; default: now)
  --dry-run     print what would be deleted; change nothing
  --json        print the plan (and, without --dry-run, the events written) as JSON
${EVIDENCE_OPTIONS_USAGE}`;

/** `chaperone recordings prune`: retention of recorded bodies. */
export const recordingsCommand: Command = {
  name: 'recordings',
  summary: 'delete recorded bodies past their retention, recording the deletion as evidence',
  usage: USAGE,
  async run(args, io) {
    rejectUnknownOptions(args, ['now', 'dry-run', 'json', ...EVIDENCE_OPTIONS]);
    const [action, ...extra] = args.positional;
    if (action !== 'prune') throw new UsageError('the only recordings action is prune (chaperone recordings prune ...)');
    if (extra.length) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0]?.slice(0, 40))}`);
    const nowText = option(args, 'now');
    const asOf = nowText === undefined ? new Date() : new Date(nowText);
    if (nowText !== undefined && (!/^\d{4}-\d{2}-\d{2}/.test(nowText) || Number.isNaN(asOf.getTime()))) {
      throw new UsageError('--now must be an ISO 8601 date or date-time (e.g. 2026-11-25T10:00:00Z)');
    }
    const dryRun = args.options.get('dry-run') === true;

    const evidence = await openEvidence(args, io, { write: !dryRun, name: 'chaperone-recordings-prune' });
    let plan: PrunePlan;
    let outcome: PruneOutcome | undefined;
    let stored: number;
    try {
      const index = await readRecordingsIndex(evidence.store);
      stored = index.refs.filter((r) => !index.pruned.has(bodyRefKey(r))).length;
      plan = planPrune(index, asOf);
      if (!dryRun && plan.expired.length > 0) {
        outcome = await pruneRecordings(plan, { blobs: await evidence.blobs(), store: evidence.store, newId: randomUUID, now: () => new Date() });
      }
    } finally {
      await evidence.close();
    }
    if (args.options.get('json') === true) {
      io.out(`${JSON.stringify({ dryRun, plan, ...(outcome ? { outcome } : {}) }, null, 2)}\n`);
    } else {
      printPlan(io, plan, stored, dryRun, outcome);
    }
    return 0;
  },
};

function printPlan(io: Io, plan: PrunePlan, stored: number, dryRun: boolean, outcome: PruneOutcome | undefined): void {
  const lines: string[] = [];
  if (plan.expired.length === 0) {
    lines.push(`nothing to prune as of ${plan.asOf}: ${stored} recorded bodies, none past its retention`);
  } else {
    const kept = plan.keep.length ? `, ${plan.keep.length} kept (shared with a recording still within its retention)` : '';
    lines.push(
      dryRun
        ? `would prune as of ${plan.asOf}: ${plan.expired.length} of ${stored} recorded bodies past their retention; ${plan.delete.length} blobs to delete${kept}`
        : `pruned as of ${plan.asOf}: ${plan.expired.length} of ${stored} recorded bodies past their retention; ${outcome?.deleted ?? 0} blobs deleted, ${outcome?.absent ?? 0} already absent${kept}`,
    );
    const deleting = new Set(plan.delete);
    for (const e of plan.expired) {
      const r = e.ref;
      lines.push(
        `  ${deleting.has(r.storedDigest) ? (dryRun ? 'delete' : 'deleted') : 'keep   '} ${r.storedDigest}  request ${r.requestId} ${r.field} (completed ${r.time}, retention ${e.retentionDays} days, expired ${e.expiredAt})`,
      );
    }
    for (const k of plan.keep) lines.push(`  kept    ${k.digest} for request ${k.keptFor} (until ${k.until})`);
    if (outcome) lines.push(`recorded as ${outcome.events.length} RecordingsPruned event(s) in stream "recordings": ${outcome.events.map((e) => e.eventId).join(', ')}`);
  }
  if (plan.withoutTerms.length) lines.push(`${plan.withoutTerms.length} recorded bodies have no retention terms in their decision and are kept`);
  io.out(`${lines.join('\n')}\n`);
}
