import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Msg, NatsConnection } from 'nats';
import { MASK_DOCUMENT_MAX_BYTES, MaskHeaders, type BusSubjects } from '@chaperone/contracts';
import { MaskingFailed, profileFor, type MaskingProfile } from '@chaperone/masking';
import { serveRequests, type JsonResponder } from '@chaperone/bus';
import { BUS, NATS_CONNECTION, Readiness } from '@chaperone/service-runtime';
import { MaskingMetrics } from '../metrics/masking-metrics';
import { answer, failureOf } from './mask-answer';
import { MaskWorkerPool } from './mask-pool';

const WHAT = 'masking a document';

/**
 * Masks a small whole document in one request (any replica of the queue group): the bytes come in,
 * the masked bytes and the report go back, and nothing is kept. The ingress sends the answers to
 * gets and lists this way when they fit; larger ones and streams use a masking stream. A request
 * that breaks the contract (no profile, an unknown one, too large, not JSON) is answered with an
 * error that names no value from it. It subscribes once the module is built, and on shutdown
 * answers every document it took before the pool stops.
 */
@Injectable()
export class MaskDocumentResponder implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(MaskDocumentResponder.name);
  private responder: JsonResponder | undefined;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(BUS) private readonly subjects: BusSubjects,
    private readonly pool: MaskWorkerPool,
    private readonly metrics: MaskingMetrics,
    readiness: Readiness,
  ) {
    readiness.add('mask-document', () => ({ ok: this.responder?.active ?? false, detail: `${this.responder?.inFlight ?? 0} in flight` }));
  }

  async onApplicationBootstrap(): Promise<void> {
    this.responder = serveRequests(this.nc, {
      subject: this.subjects.maskDocument,
      queue: this.subjects.queue('masking'),
      spanName: 'masking.mask',
      handle: (msg) => this.mask(msg),
      onUnexpected: (e) => this.logger.error(`${WHAT} failed: ${e instanceof Error ? e.message : String(e)}`),
    });
    // The server holds the subscription before the service says it is ready.
    await this.nc.flush();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.responder?.drain();
  }

  private async mask(msg: Msg): Promise<void> {
    this.metrics.received('document', msg.data.length);
    try {
      if (msg.data.length > MASK_DOCUMENT_MAX_BYTES) {
        throw new MaskingFailed(`a document masked in one request is at most ${MASK_DOCUMENT_MAX_BYTES} bytes (got ${msg.data.length}); open a masking stream`);
      }
      const { output, report } = await this.pool.mask(Buffer.from(msg.data), profileOf(msg));
      answer(msg, { output, report }, this.logger, WHAT);
      this.metrics.masked('document', report.count);
    } catch (e) {
      this.metrics.failed('document');
      const why = failureOf(e);
      this.logger.warn(`${WHAT} failed: ${why}`);
      answer(msg, { error: why }, this.logger, WHAT);
    }
  }
}

/** The request's profile; throws MaskingFailed (with a message safe to show) when it names none or an unknown one. */
function profileOf(msg: Msg): MaskingProfile {
  const name = msg.headers?.get(MaskHeaders.profile) ?? '';
  if (name === '') throw new MaskingFailed(`the request names no masking profile (${MaskHeaders.profile})`);
  return profileFor(name);
}
