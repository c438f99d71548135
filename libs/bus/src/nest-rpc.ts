import { randomUUID } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { decodeJson, encodeJson } from './codec';
import { RpcFailed } from './rpc-errors';
import { traceHeaders } from './trace-headers';

/**
 * Request/reply with a Nest `@MessagePattern` handler, spoken with the plain NATS client.
 *
 * Why not Nest's ClientNats: it subscribes a fresh inbox for every request (a SUB and an UNSUB
 * round trip to the server each time, plus rxjs plumbing). `nc.request` shares one muxed inbox
 * subscription across all requests of the connection.
 *
 * Wire format (Nest's NATS transport, JSON): request `{ pattern, data, id }`; Nest answers a
 * single-valued handler with one message `{ id, response, isDisposed }` or `{ id, err, isDisposed }`.
 * Failures to get an answer (timeout, no responders, connection closed) are thrown as the NATS
 * client throws them.
 */
export async function nestRequest(nc: NatsConnection, subject: string, data: unknown, timeoutMs: number): Promise<unknown> {
  const headers = traceHeaders();
  const msg = await nc.request(subject, encodeJson({ pattern: subject, data, id: randomUUID() }), headers ? { timeout: timeoutMs, headers } : { timeout: timeoutMs });
  const reply = decodeJson(msg.data) as { response?: unknown; err?: unknown } | null;
  if (reply === null || typeof reply !== 'object') throw new RpcFailed('the reply is not a Nest RPC packet');
  if (reply.err !== undefined && reply.err !== null) throw new RpcFailed(describeErr(reply.err));
  return reply.response;
}

function describeErr(err: unknown): string {
  if (typeof err === 'string') return err;
  if (err && typeof err === 'object' && 'message' in err) return String((err as { message: unknown }).message);
  return 'the handler failed';
}
