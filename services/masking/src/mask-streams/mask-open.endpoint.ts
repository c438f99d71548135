import { Controller, type Type } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { MaskOpenReply } from '@chaperone/contracts';
import { MaskStreams } from './mask-streams';

/** The queue-group endpoint that opens masking streams; built per module for the configured bus prefix. */
export function maskOpenEndpoint(subject: string): Type<unknown> {
  @Controller()
  class MaskOpenEndpoint {
    constructor(private readonly streams: MaskStreams) {}

    @MessagePattern(subject)
    open(@Payload() raw: unknown): Promise<MaskOpenReply> {
      return this.streams.start(raw);
    }
  }
  return MaskOpenEndpoint;
}
