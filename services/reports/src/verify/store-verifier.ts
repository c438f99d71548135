import { generateKeyPairSync } from 'node:crypto';
import type { EventStore } from '@chaperone/event-store';
import { describeIncomplete, describeProblem, verifyStore, type KeyInput } from '@chaperone/evidence-chain';
import type { ChainVerification, ChainVerifier } from './chain-verification';

/**
 * Verifies the whole store with libs/evidence-chain's `verifyStore`: every stream's hash chain, and
 * every signed checkpoint of the chain heads with the audit service's public key. Without a public
 * key the chains are still recomputed, but checkpoint signatures cannot be checked (said in the
 * result). Reports reuse a result for `cacheSeconds` (a full verification reads the whole store);
 * GET /verify always verifies afresh. Every result names the position and time it covers.
 */
export class StoreVerifier implements ChainVerifier {
  private cached: { at: number; result: ChainVerification } | undefined;
  private running: Promise<ChainVerification> | undefined;

  constructor(
    private readonly store: EventStore,
    /** Several during a key rotation: each checkpoint is checked with the one its keyId names. */
    private readonly publicKey: readonly KeyInput[] | undefined,
    private readonly cacheSeconds: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async verify(opts: { fresh?: boolean } = {}): Promise<ChainVerification> {
    const t = this.now().getTime();
    if (!opts.fresh && this.cached && t - this.cached.at < this.cacheSeconds * 1000) return this.cached.result;
    this.running ??= this.run().finally(() => (this.running = undefined));
    const result = await this.running;
    this.cached = { at: t, result };
    return result;
  }

  private async run(): Promise<ChainVerification> {
    const checkedAt = this.now().toISOString();
    try {
      // No key: verify against a throwaway one and set aside the signature findings it causes.
      const key = this.publicKey ?? [generateKeyPairSync('ed25519').publicKey];
      const report = await verifyStore(this.store, { publicKey: key });
      const problems = report.problems.filter((p) => this.publicKey !== undefined || p.kind !== 'bad-signature');
      return {
        status: problems.length === 0 ? 'verified' : 'failed',
        checkedAt,
        throughPosition: report.throughPosition,
        streams: report.streams,
        events: report.events,
        checkpoints: {
          found: report.checkpoints,
          signaturesChecked: this.publicKey !== undefined,
          ...(report.lastCheckpointAt ? { lastAt: report.lastCheckpointAt } : {}),
          ...(this.publicKey === undefined ? { note: 'CHAPERONE_CHECKPOINT_PUBLIC_KEY_FILE is not set: checkpoint signatures were not checked' } : {}),
        },
        problems: problems.map((p) => ({ kind: p.kind, description: describeProblem(p) })),
        ...(report.completeness
          ? {
              completeness: {
                ok: report.completeness.ok,
                proceeded: report.completeness.proceeded,
                inFlight: report.completeness.inFlight,
                graceSeconds: report.completeness.graceSeconds,
                incomplete: report.completeness.incomplete.map((i) => ({ kind: i.kind, requestId: i.requestId, description: describeIncomplete(i) })),
              },
            }
          : {}),
      };
    } catch (e) {
      return { status: 'unavailable', checkedAt, detail: `the store could not be read for verification: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
}
