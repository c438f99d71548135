import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { BusSubjects } from '@chaperone/contracts';
import { BUS, JsonEndpoint, NATS_CONNECTION, Readiness, type JsonEndpointOptions } from '@chaperone/service-runtime';
import { MaskStreams } from './mask-streams';

/**
 * Opens masking streams for the ingress: a plain JSON request/reply in the masking queue group, so
 * any replica can take a stream. The reply leaves on the same connection as the new stream's
 * subscription, so the server holds that subscription before the ingress can send its first chunk.
 * On shutdown it stops taking opens before the streams it holds are closed.
 */
@Injectable()
export class MaskOpenResponder extends JsonEndpoint {
  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(BUS) private readonly subjects: BusSubjects,
    private readonly streams: MaskStreams,
    readiness: Readiness,
  ) {
    super(nc, readiness, 'mask-open');
  }

  protected endpoint(): JsonEndpointOptions {
    return {
      subject: this.subjects.maskOpen,
      queue: this.subjects.queue('masking'),
      spanName: 'masking.open',
      what: 'mask open',
      handle: async (request) => this.streams.start(request),
    };
  }
}
