import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { serveJson, type JsonResponder, type ServeJsonOptions } from '@chaperone/bus';
import type { Readiness } from './readiness';

/** What a JsonEndpoint serves: serveJson's options, and how its unexpected failures are logged. */
export type JsonEndpointOptions = Omit<ServeJsonOptions, 'onUnexpected'> & {
  /** Names a request in the log: "<what> failed: …". */
  what: string;
};

/**
 * A plain-JSON request/reply endpoint (serveJson) that lives as long as the service. It subscribes
 * once the module is fully built, so everything its handler needs is loaded, and the server holds
 * the subscription before the service says it is ready; readiness reports it under its name; on
 * shutdown it stops taking requests and answers those it took before the connection drains.
 */
export abstract class JsonEndpoint implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private responder: JsonResponder | undefined;
  private readonly logger: Logger;

  protected constructor(
    private readonly nc: NatsConnection,
    readiness: Readiness,
    name: string,
  ) {
    this.logger = new Logger(name);
    readiness.add(name, () => ({ ok: this.responder?.active ?? false, detail: `${this.responder?.inFlight ?? 0} in flight` }));
  }

  /** The subject, queue group and handler, asked for once the module is built. */
  protected abstract endpoint(): JsonEndpointOptions;

  async onApplicationBootstrap(): Promise<void> {
    const { what, ...options } = this.endpoint();
    this.responder = serveJson(this.nc, {
      ...options,
      onUnexpected: (e) => this.logger.error(`${what} failed: ${e instanceof Error ? e.message : String(e)}`),
    });
    await this.nc.flush();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.responder?.drain();
  }
}
