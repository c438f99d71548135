import WebSocket from 'ws';
import { ByteTransport } from '../spdy/session';

/**
 * A WebSocket carrying a byte stream (SPDY tunnelled through WebSocket, as kubectl port-forward
 * does): every binary message is the next bytes, with no channel prefix. Writes resolve while
 * less than HIGH_WATER bytes wait in the socket.
 */
const HIGH_WATER = 1024 * 1024;

export function websocketTransport(ws: WebSocket): ByteTransport {
  let queued = 0;
  let waiters: (() => void)[] = [];
  const wake = () => {
    const w = waiters;
    waiters = [];
    for (const fn of w) fn();
  };
  ws.on('close', wake);
  return {
    write: (data) => {
      if (ws.readyState !== WebSocket.OPEN) return Promise.resolve();
      queued += data.length;
      ws.send(data, { binary: true }, () => {
        queued -= data.length;
        if (queued < HIGH_WATER) wake();
      });
      return queued < HIGH_WATER ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve));
    },
    onData: (fn) => ws.on('message', (data: Buffer) => fn(data)),
    onEnd: (fn) => {
      ws.on('close', fn);
      ws.on('error', fn);
    },
    close: () => {
      if (ws.readyState === WebSocket.OPEN) ws.close(1000);
    },
  };
}
