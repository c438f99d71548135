import { connect, type ConnectionOptions, type NatsConnection } from 'nats';

/** Connection defaults shared by every service: keep reconnecting forever, never give up silently. */
export function natsConnectionOptions(servers: string[], name: string): ConnectionOptions {
  return {
    servers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    // Fail fast at start: a service that cannot reach the bus reports it instead of hanging.
    timeout: 5000,
    pingInterval: 10_000,
  };
}

export async function connectBus(servers: string[], name: string): Promise<NatsConnection> {
  return connect(natsConnectionOptions(servers, name));
}
