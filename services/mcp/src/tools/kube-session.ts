import { ApprovalHeaders, Headers } from '@chaperone/contracts';
import type { DiscoveryCache } from '../discovery/discovery-cache';
import { discover } from '../discovery/discover';
import { UnknownResource, type ApiResource, type ResourceIndex } from '../discovery/resource-index';
import { ChaperoneUnavailable } from '../errors';
import { classifyAnswer, type IngressAnswer, type StatusFailure } from '../ingress/ingress-answer';
import type { ExecAnswer, ExecCall } from '../ingress/exec-client';
import type { CallOptions, IngressClient, KubeAnswer, KubeCall } from '../ingress/ingress-client';
import type { Progress } from './progress';

/** A refusal met while discovering resource types (the policy may not allow discovery). */
export class DiscoveryRefused extends Error {
  override readonly name = 'DiscoveryRefused';
  constructor(readonly failure: StatusFailure) {
    super(failure.message);
  }
}

export interface SessionLimits {
  requestTimeoutMs: number;
  holdMaxSeconds: number;
}

export interface SendOptions {
  signal: AbortSignal;
  progress: Progress;
  /** The agent's justification, for approvers (X-Chaperone-Reason). */
  reason?: string;
}

/** An exec session that ran (with whatever exit it reported). */
export type ExecRan = Extract<ExecAnswer, { kind: 'ran' }>;

/** A re-discovery after a miss happens at most this often per caller (a CRD just installed). */
const REDISCOVER_AFTER_MS = 10_000;
/** How often a held call tells the client it is still waiting. */
const HOLD_PROGRESS_MS = 5_000;

/**
 * The Kubernetes API as one caller sees it through the ingress: their token on every call, their
 * discovery, and Chaperone's approval flow (a ticket when the rule allows one, else a bounded hold).
 */
export class KubeSession {
  /** The ingress's id of every request this session sent, in order (X-Chaperone-Request-Id). */
  readonly requestIds: string[] = [];

  constructor(
    private readonly ingress: IngressClient,
    private readonly token: string,
    /** Whose discovery this is (the caller's user name). */
    private readonly who: string,
    private readonly discovery: DiscoveryCache,
    private readonly limits: SessionLimits,
  ) {}

  async resolve(name: string): Promise<ApiResource> {
    return this.withIndex((index) => index.resolve(name));
  }

  async byKind(apiVersion: string, kind: string): Promise<ApiResource> {
    return this.withIndex((index) => index.byKind(apiVersion, kind));
  }

  /**
   * One call, as the caller. Asks for a ticket (`X-Chaperone-Approval-Mode: ticket`) so a call that
   * needs approval answers at once; when the rule holds requests and refuses that header, sends the
   * identical call again without it and waits, bounded, telling the client it is still held.
   */
  async send(call: KubeCall, opts: SendOptions): Promise<IngressAnswer> {
    return this.withApproval(opts, async (headers, timeoutMs) =>
      classifyAnswer(await this.call({ ...call, headers: { ...call.headers, ...headers } }, { signal: opts.signal, timeoutMs })),
    );
  }

  /**
   * One exec, as the caller, through the same approval flow as `send`: a refusal or a ticket comes
   * back as the ingress's answer; a session that ran, with its output and exit status.
   */
  async exec(call: ExecCall, opts: SendOptions & { runTimeoutMs: number; outputBytes: number }): Promise<IngressAnswer | ExecRan> {
    return this.withApproval(opts, async (headers, handshakeTimeoutMs) => {
      const answer = await this.ingress.exec(
        this.token,
        { ...call, headers: { ...call.headers, ...headers } },
        { signal: opts.signal, handshakeTimeoutMs, runTimeoutMs: opts.runTimeoutMs, outputBytes: opts.outputBytes },
      );
      if (answer.kind === 'ran') {
        if (answer.requestId) this.requestIds.push(answer.requestId);
        return answer;
      }
      this.noteRequestId(answer.answer);
      return classifyAnswer(answer.answer);
    });
  }

  /**
   * Sends with a ticket asked for; when the rule only holds (it refuses the mode header), sends the
   * identical request again without it and waits for the human, bounded, with progress.
   */
  private async withApproval<T extends { kind: string }>(opts: SendOptions, attempt: (headers: Record<string, string>, timeoutMs: number) => Promise<T | IngressAnswer>): Promise<T | IngressAnswer> {
    const headers: Record<string, string> = { [ApprovalHeaders.mode]: 'ticket' };
    // Node writes header strings as latin1; the ingress reads the bytes as UTF-8.
    if (opts.reason) headers[ApprovalHeaders.reason] = Buffer.from(opts.reason, 'utf8').toString('latin1');
    const first = await attempt({ ...headers }, this.limits.requestTimeoutMs);
    if (first.kind !== 'hold-only') return first;

    delete headers[ApprovalHeaders.mode];
    const started = Date.now();
    const total = this.limits.holdMaxSeconds;
    const tick = setInterval(() => {
      const waited = Math.round((Date.now() - started) / 1000);
      void opts.progress.report(waited, total, `held by Chaperone until a human approves it (waited ${waited} s of at most ${total} s)`);
    }, HOLD_PROGRESS_MS);
    try {
      await opts.progress.report(0, total, 'this call needs a human approval and the rule holds it (no ticket): waiting');
      return await attempt(headers, total * 1000);
    } catch (e) {
      if (e instanceof ChaperoneUnavailable && Date.now() - started >= total * 1000 - 50) {
        throw new ChaperoneUnavailable(`no approval within ${total} s; the held request was withdrawn (an approver sees it cancelled)`);
      }
      throw e;
    } finally {
      clearInterval(tick);
    }
  }

  private async call(req: KubeCall, opts: CallOptions): Promise<KubeAnswer> {
    const answer = await this.ingress.call(this.token, req, opts);
    this.noteRequestId(answer);
    return answer;
  }

  private noteRequestId(answer: KubeAnswer): void {
    const id = answer.headers[Headers.requestId];
    if (typeof id === 'string') this.requestIds.push(id);
  }

  private async withIndex<T>(use: (index: ResourceIndex) => T): Promise<T> {
    const load = () =>
      discover(async (path, accept) => {
        // No approval headers: discovery is a plain read, shared by the caller's concurrent calls.
        const answer = classifyAnswer(await this.call({ method: 'GET', path, accept }, { timeoutMs: this.limits.requestTimeoutMs }));
        if (answer.kind !== 'ok') throw new DiscoveryRefused(answer.kind === 'pending' ? { code: 403, reason: 'Forbidden', message: answer.ticket.message } : answer.failure);
        try {
          return JSON.parse(answer.body) as unknown;
        } catch {
          throw new ChaperoneUnavailable(`discovery at ${path} did not answer JSON`);
        }
      });
    try {
      return use(await this.discovery.get(this.who, load));
    } catch (e) {
      if (!(e instanceof UnknownResource) || (this.discovery.ageOf(this.who) ?? 0) < REDISCOVER_AFTER_MS) throw e;
      return use(await this.discovery.get(this.who, load, 0));
    }
  }
}
