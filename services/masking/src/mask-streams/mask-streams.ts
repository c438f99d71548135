import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Msg, NatsConnection, Subscription } from 'nats';
import { MASK_ALIVE_OP, MASK_CLOSE_OP, MaskHeaders, MaskOpenSchema, parseContract, ContractViolation, type BusSubjects, type MaskOpenReply } from '@chaperone/contracts';
import { MaskingFailed, profileFor } from '@chaperone/masking';
import { ErrorReply, startMessageSpan } from '@chaperone/bus';
import { BUS, NATS_CONNECTION, Readiness } from '@chaperone/service-runtime';
import { MaskingMetrics } from '../metrics/masking-metrics';
import { MaskWorkerPool } from './mask-pool';
import { answer, failureOf } from './mask-answer';
import { MaskSession, type SessionReply } from './mask-session';

/** A stream nobody has fed for this long is abandoned (its request is gone) and dropped. */
export const SESSION_IDLE_MS = 30_000;

interface Open {
  session: MaskSession;
  sub: Subscription;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Serves masking streams: `open` arrives through the queue group (any replica), the stream's
 * chunks then go to a subject only this replica listens on. State lives exactly as long as the
 * response being masked.
 */
@Injectable()
export class MaskStreams implements OnApplicationShutdown {
  private readonly logger = new Logger(MaskStreams.name);
  private readonly open = new Map<string, Open>();
  opened = 0;
  failed = 0;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(BUS) private readonly subjects: BusSubjects,
    private readonly pool: MaskWorkerPool,
    readiness: Readiness,
    private readonly metrics: MaskingMetrics,
  ) {
    metrics.countOpenWith(() => this.open.size);
    readiness.add('mask-streams', () => ({ ok: true, detail: `${this.open.size} open, ${this.pool.size} workers, ${this.pool.queued} queued` }));
  }

  /** Open a stream on this replica; a bad request is answered with an ErrorReply (never a value from it but the profile's name). */
  start(raw: unknown): MaskOpenReply {
    let request;
    try {
      request = parseContract(MaskOpenSchema, 'MaskOpen', raw);
    } catch (e) {
      throw new ErrorReply(e instanceof ContractViolation ? e.message : 'invalid mask open request');
    }
    let profile;
    try {
      profile = profileFor(request.profile);
    } catch (e) {
      throw new ErrorReply(failureOf(e));
    }
    const id = randomUUID();
    const session = new MaskSession(request.mode, profile, (bytes, p) => this.pool.mask(bytes, p));
    const sub = this.nc.subscribe(this.subjects.maskSession(id), { callback: (_err, msg) => this.onMessage(id, msg) });
    this.open.set(id, { session, sub, timer: this.idleTimer(id) });
    this.opened++;
    return { schemaVersion: 1, session: id };
  }

  private idleTimer(id: string): NodeJS.Timeout {
    const t = setTimeout(() => this.close(id), SESSION_IDLE_MS);
    t.unref();
    return t;
  }

  private onMessage(id: string, msg: Msg): void {
    const entry = this.open.get(id);
    if (!entry) return;
    const op = msg.headers?.get(MaskHeaders.op) ?? '';
    if (op === MASK_CLOSE_OP) {
      // Opened ahead of a decision that did not need it: nothing was masked, nothing to report.
      this.close(id);
      return;
    }
    if (op === MASK_ALIVE_OP) {
      // The ingress checks that this replica still holds the stream while an exchange is slow.
      answer(msg, { output: new Uint8Array() }, this.logger, `masking stream ${id}`);
      return;
    }
    clearTimeout(entry.timer);
    entry.timer = this.idleTimer(id);
    this.metrics.received(entry.session.mode, msg.data.length);
    // The end of a traced response: its masking (inline or in a worker) is one span of the request's trace.
    const traced = op === 'end' && msg.headers ? startMessageSpan('masking.mask', msg) : undefined;
    let reply: SessionReply | Promise<SessionReply>;
    try {
      if (op === 'data') reply = entry.session.data(Buffer.from(msg.data));
      else if (op === 'end') reply = entry.session.end(Buffer.from(msg.data));
      else if (op === 'next') reply = entry.session.next();
      else throw new MaskingFailed(`unknown op "${op.slice(0, 16)}"`);
    } catch (e) {
      this.fail(id, msg, e);
      traced?.span.end();
      return;
    }
    if (!(reply instanceof Promise)) {
      this.reply(id, msg, reply);
      traced?.span.end();
      return;
    }
    if (traced) void reply.finally(() => traced.span.end()).catch(() => undefined);
    // A large document is being masked in a worker: the session is not idle meanwhile (its
    // timer restarts when the reply leaves). If the session was closed in between (shutdown), the
    // reply is still attempted, and a closed connection is no error.
    clearTimeout(entry.timer);
    entry.timer = undefined;
    reply.then(
      (r) => {
        if (this.open.get(id) === entry && !entry.timer) entry.timer = this.idleTimer(id);
        this.reply(id, msg, r);
      },
      (e: unknown) => this.fail(id, msg, e),
    );
  }

  private reply(id: string, msg: Msg, reply: SessionReply): void {
    answer(msg, reply, this.logger, `masking stream ${id}`);
    if (reply.report) {
      this.metrics.masked(this.open.get(id)?.session.mode ?? 'document', reply.report.count);
      this.close(id);
    }
  }

  private fail(id: string, msg: Msg, e: unknown): void {
    this.failed++;
    this.metrics.failed(this.open.get(id)?.session.mode ?? 'document');
    const why = failureOf(e);
    this.logger.warn(`masking stream ${id} failed: ${why}`);
    answer(msg, { error: why }, this.logger, `masking stream ${id}`);
    this.close(id);
  }

  private close(id: string): void {
    const entry = this.open.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.sub.unsubscribe();
    this.open.delete(id);
  }

  async onApplicationShutdown(): Promise<void> {
    for (const id of [...this.open.keys()]) this.close(id);
    await this.pool.close();
  }
}
