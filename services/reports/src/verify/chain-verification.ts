/**
 * The chain verification result every report carries (and GET /verify returns).
 *
 * `verified`: every stream's hash chain recomputes from the stored events and every checkpoint
 * (when a public key is configured) is correctly signed and still matches. `failed`: problems were
 * found, each named. `unavailable`: the verification could not run: the report does NOT attest that
 * the log is unaltered.
 */
export type ChainVerification =
  | {
      status: 'verified' | 'failed';
      checkedAt: string;
      /** Store position the verification read up to. */
      throughPosition: number;
      streams: number;
      events: number;
      checkpoints: { found: number; signaturesChecked: boolean; lastAt?: string; note?: string };
      problems: { kind: string; description: string }[];
      /**
       * Requests let through with no stored end, grants never claimed (libs/evidence-chain
       * completeness). Separate from `status`, which attests only that the log is unaltered.
       */
      completeness?: { ok: boolean; proceeded: number; inFlight: number; graceSeconds: number; incomplete: { kind: string; requestId: string; description: string }[] };
    }
  | { status: 'unavailable'; checkedAt: string; detail: string };

export interface ChainVerifier {
  /** `fresh`: verify now (GET /verify); otherwise a recent result may be reused (reports). */
  verify(opts?: { fresh?: boolean }): Promise<ChainVerification>;
}
