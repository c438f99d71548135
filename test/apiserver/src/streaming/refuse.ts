import { STATUS_CODES } from 'node:http';
import { Duplex } from 'node:stream';
import { Status } from '../status';

/**
 * Answers an upgrade request that will not be upgraded: a plain HTTP response with the Status
 * as body, then the connection is closed (nothing else may follow on an upgrade socket).
 */
export function refuseUpgrade(socket: Duplex, status: Status): void {
  if (socket.destroyed) return;
  const body = JSON.stringify(status) + '\n';
  socket.end(
    `HTTP/1.1 ${status.code} ${STATUS_CODES[status.code] ?? ''}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Cache-Control: no-cache, private\r\n' +
      'Connection: close\r\n\r\n' +
      body,
  );
}
