import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { serveJson, type JsonResponder } from '@chaperone/bus';
import type { BusSubjects } from '@chaperone/contracts';
import { BUS, NATS_CONNECTION, Readiness } from '@chaperone/service-runtime';
import { MaskStreams } from './mask-streams';

/**
 * Opens masking streams for the ingress: a plain JSON request/reply in the masking queue group, so
 * any replica can take a stream. The reply leaves on the same connection as the new stream's
 * subscription, so the server holds that subscription before the ingress can send its first chunk.
 * On shutdown it stops taking opens before the streams it holds are closed.
 */
@Injectable()
export class MaskOpenResponder implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('MaskOpen');
  private responder: JsonResponder | undefined;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(BUS) private readonly subjects: BusSubjects,
    private readonly streams: MaskStreams,
    readiness: Readiness,
  ) {
    readiness.add('mask-open', () => ({ ok: this.responder?.active ?? false, detail: this.responder?.active ? 'taking streams' : 'not subscribed' }));
  }

  async onApplicationBootstrap(): Promise<void> {
    this.responder = serveJson(this.nc, {
      subject: this.subjects.maskOpen,
      queue: this.subjects.queue('masking'),
      spanName: 'masking.open',
      handle: async (request) => this.streams.start(request),
      onUnexpected: (e) => this.logger.error(`mask open failed: ${e instanceof Error ? e.message : String(e)}`),
    });
    // The server has the subscription before the service says it is ready.
    await this.nc.flush();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.responder?.drain();
  }
}
