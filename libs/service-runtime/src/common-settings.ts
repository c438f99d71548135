import { setting } from '@chaperone/config';

/** Settings every service reads; the health port default differs per service so all can share a host. */
export function commonSettings(defaultHealthPort: number) {
  return {
    natsServers: setting.list('CHAPERONE_NATS_URL', 'comma-separated NATS server URLs', 'nats://127.0.0.1:4222'),
    healthHost: setting.string('CHAPERONE_HEALTH_HOST', 'the address /healthz and /readyz listen on', '127.0.0.1'),
    healthPort: setting.port('CHAPERONE_HEALTH_PORT', String(defaultHealthPort)),
    logFormat: setting.oneOf('CHAPERONE_LOG_FORMAT', ['text', 'json'] as const, 'text'),
  };
}
