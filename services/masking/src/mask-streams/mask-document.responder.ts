import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { headers as natsHeaders, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from 'nats';
import { MASK_DOCUMENT_MAX_BYTES, MaskHeaders, type BusSubjects } from '@chaperone/contracts';
import { MaskingFailed, profileFor, type MaskingProfile } from '@chaperone/masking';
import { startMessageSpan } from '@chaperone/bus';
import { BUS, NATS_CONNECTION, Readiness } from '@chaperone/service-runtime';
import { MaskingMetrics } from '../metrics/masking-metrics';
import { MaskWorkerPool } from './mask-pool';

/**
 * Masks a small whole document in one request (any replica of the queue group): the bytes come in,
 * the masked bytes and the report go back, and nothing is kept. The ingress sends the answers to
 * gets and lists this way when they fit; larger ones and streams use a masking stream. A request
 * that breaks the contract (no profile, an unknown one, too large, not JSON) is answered with an
 * error that names no value from it.
 */
@Injectable()
export class MaskDocumentResponder implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(MaskDocumentResponder.name);
  private sub: Subscription | undefined;
  private inFlight = 0;
  private idle: (() => void) | undefined;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(BUS) private readonly subjects: BusSubjects,
    private readonly pool: MaskWorkerPool,
    private readonly metrics: MaskingMetrics,
    readiness: Readiness,
  ) {
    readiness.add('mask-document', () => ({ ok: this.sub !== undefined && !this.sub.isClosed(), detail: `${this.inFlight} in flight` }));
  }

  async onApplicationBootstrap(): Promise<void> {
    this.sub = this.nc.subscribe(this.subjects.maskDocument, {
      queue: this.subjects.queue('masking'),
      callback: (err, msg) => {
        if (err) this.logger.error(`mask document subscription failed: ${err.message}`);
        else if (msg.reply) this.mask(msg);
      },
    });
    // The server holds the subscription before the service says it is ready.
    await this.nc.flush();
  }

  /** Take no more documents, and answer the ones taken before the connection drains. */
  async beforeApplicationShutdown(): Promise<void> {
    const sub = this.sub;
    if (!sub || sub.isClosed()) return;
    sub.unsubscribe();
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
  }

  private mask(msg: Msg): void {
    this.metrics.received('document', msg.data.length);
    const traced = msg.headers ? startMessageSpan('masking.mask', msg) : undefined;
    let masking;
    try {
      masking = this.pool.mask(Buffer.from(msg.data), profileOf(msg));
    } catch (e) {
      this.fail(msg, e);
      traced?.span.end();
      return;
    }
    this.inFlight++;
    masking
      .then(
        ({ output, report }) => {
          const h = natsHeaders();
          h.set(MaskHeaders.report, JSON.stringify(report));
          this.respond(msg, output, h);
          this.metrics.masked('document', report.count);
        },
        (e: unknown) => this.fail(msg, e),
      )
      .finally(() => {
        traced?.span.end();
        this.inFlight--;
        if (this.inFlight === 0) this.idle?.();
      })
      .catch(() => undefined);
  }

  private fail(msg: Msg, e: unknown): void {
    this.metrics.failed('document');
    const why = e instanceof MaskingFailed ? e.message : 'masking failed';
    this.logger.warn(`masking a document failed: ${why}`);
    const h = natsHeaders();
    h.set(MaskHeaders.error, why);
    this.respond(msg, new Uint8Array(), h);
  }

  private respond(msg: Msg, data: Uint8Array, h: MsgHdrs): void {
    try {
      msg.respond(data, { headers: h });
    } catch (e) {
      // The connection closed while the document was masked (shutdown): the ingress fails closed.
      this.logger.warn(`a masked document was not sent (${e instanceof Error ? e.message : 'error'})`);
    }
  }
}

/** The request's profile; throws MaskingFailed (with a message safe to show) when it breaks the contract. */
function profileOf(msg: Msg): MaskingProfile {
  if (msg.data.length > MASK_DOCUMENT_MAX_BYTES) {
    throw new MaskingFailed(`a document masked in one request is at most ${MASK_DOCUMENT_MAX_BYTES} bytes (got ${msg.data.length}); open a masking stream`);
  }
  const name = msg.headers?.get(MaskHeaders.profile) ?? '';
  if (name === '') throw new MaskingFailed(`the request names no masking profile (${MaskHeaders.profile})`);
  try {
    return profileFor(name);
  } catch {
    throw new MaskingFailed(`unknown masking profile "${name.slice(0, 40)}"`);
  }
}
