import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ServiceName } from '@chaperone/contracts';
import { natsConnectionOptions } from '@chaperone/bus';
import { ChaperoneLogger, initTracing } from '@chaperone/telemetry';

export interface BootstrapOptions {
  service: ServiceName;
  module: Type<unknown> | DynamicModule;
  healthHost: string;
  healthPort: number;
  jsonLogs: boolean;
  /** Only warnings and errors (tests). */
  quiet?: boolean;
  /** When set, the app also serves Nest @MessagePattern handlers on NATS in this queue group. */
  messaging?: { servers: string[]; queue: string };
  /** When the HTTP port also serves an API (not only probes): its name, announced as "<name> listening on <url>". */
  httpApi?: string;
  /** The largest JSON request body the HTTP API accepts (body-parser form, e.g. "4mb"; default 100kb). */
  bodyLimit?: string;
}

/**
 * Start a service as a Nest hybrid application: HTTP for health probes, NATS for messages.
 * Prints one `ready` line with the health URL, which scripts and tests wait for.
 */
export async function bootstrapService(opts: BootstrapOptions): Promise<INestApplication> {
  initTracing(opts.service);
  const logger = new ChaperoneLogger(`chaperone-${opts.service}`, {
    json: opts.jsonLogs,
    ...(opts.quiet ? { levels: ['warn', 'error', 'fatal'] as const } : {}),
  });
  const app = await NestFactory.create<NestExpressApplication>(opts.module, { logger });
  // Registered before Nest's default JSON parser would be, so it replaces it.
  if (opts.bodyLimit) app.useBodyParser('json', { limit: opts.bodyLimit });
  if (opts.messaging) {
    app.connectMicroservice<MicroserviceOptions>(
      {
        transport: Transport.NATS,
        options: { ...natsConnectionOptions(opts.messaging.servers, `chaperone-${opts.service}-rpc`), queue: opts.messaging.queue },
      },
      { inheritAppConfig: true },
    );
  }
  // Only these stop a service. Without a list Nest also shuts down on SIGHUP, which the policy
  // service uses to reload its files.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.startAllMicroservices();
  await app.listen(opts.healthPort, opts.healthHost);
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  if (opts.httpApi) logger.log(`${opts.httpApi} listening on ${url}`);
  logger.log(`ready health=${url}/healthz`);
  return app;
}
