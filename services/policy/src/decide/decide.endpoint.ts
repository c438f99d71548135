import { Controller, type Type } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { DecideReply } from '@chaperone/contracts';
import { DecideHandler } from './decide-handler';

/**
 * The NATS endpoint for decide requests. Built per module instance because the subject carries the
 * configured bus prefix, and Nest reads @MessagePattern when the class is defined.
 */
export function decideEndpoint(subject: string): Type<unknown> {
  @Controller()
  class DecideEndpoint {
    constructor(private readonly handler: DecideHandler) {}

    @MessagePattern(subject)
    decide(@Payload() raw: unknown): Promise<DecideReply> {
      return this.handler.decide(raw);
    }
  }
  return DecideEndpoint;
}
