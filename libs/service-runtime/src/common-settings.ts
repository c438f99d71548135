import { setting, type Setting } from '@chaperone/config';
import { busSubjects, DEFAULT_BUS_PREFIX, type ServiceName } from '@chaperone/contracts';
import type { RuntimeOptions } from './runtime.module';
import { z } from 'zod';

/** Settings every service reads; the health port default differs per service so all can share a host. */
export function commonSettings(defaultHealthPort: number) {
  return {
    natsServers: setting.list('CHAPERONE_NATS_URL', 'comma-separated NATS server URLs', 'nats://127.0.0.1:4222'),
    busPrefix: {
      env: 'CHAPERONE_BUS_PREFIX',
      expected: 'lower-case letters, digits or "-" (1-32, starting with a letter); deployments sharing one NATS use different prefixes',
      schema: z.string().refine((p) => {
        try {
          busSubjects(p);
          return true;
        } catch {
          return false;
        }
      }, 'not a valid bus prefix'),
      default: DEFAULT_BUS_PREFIX,
    },
    eventsMaxBytes: setting.int('CHAPERONE_EVENTS_MAX_BYTES', 'bytes of unstored events the bus may hold before requests are refused', String(1024 ** 3), 1024, Number.MAX_SAFE_INTEGER),
    eventsMaxMsgs: setting.int('CHAPERONE_EVENTS_MAX_MSGS', 'unstored events the bus may hold before requests are refused (-1 = no count limit)', '-1', -1, Number.MAX_SAFE_INTEGER),
    publishTimeoutMs: setting.int('CHAPERONE_EVENTS_PUBLISH_TIMEOUT_MS', 'milliseconds to wait for the bus to acknowledge an event', '2000', 50, 60000),
    streamReplicas: setting.int('CHAPERONE_STREAM_REPLICAS', 'copies JetStream keeps of each stream of this prefix (3 on a 3-node NATS cluster; raised at start, never lowered)', '1', 1, 5),
    healthHost: setting.string('CHAPERONE_HEALTH_HOST', 'the address /healthz and /readyz listen on', '127.0.0.1'),
    healthPort: setting.port('CHAPERONE_HEALTH_PORT', String(defaultHealthPort)),
    logFormat: setting.oneOf('CHAPERONE_LOG_FORMAT', ['text', 'json'] as const, 'text'),
  };
}

export type CommonConfig = { [K in keyof ReturnType<typeof commonSettings>]: ReturnType<typeof commonSettings>[K] extends Setting<infer T> ? T : never };

/** The runtime module's options from a service's validated common settings. */
export function runtimeOptions(service: ServiceName, config: CommonConfig, opts: { events: boolean }): RuntimeOptions {
  return {
    service,
    natsServers: config.natsServers,
    busPrefix: config.busPrefix,
    streamReplicas: config.streamReplicas,
    ...(opts.events
      ? { events: { maxBytes: config.eventsMaxBytes, maxMsgs: config.eventsMaxMsgs, publishTimeoutMs: config.publishTimeoutMs } }
      : {}),
  };
}
