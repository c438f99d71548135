import { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { Headers } from '../spdy/header-block';
import { SpdySession, SpdyStream } from '../spdy/session';
import { ApiError } from '../status';
import { KubeObject } from '../types';
import { dialPodPort } from './echo-service';
import { forwardError } from './forward-error';
import { parsePort } from './ports';
import { pumpToClient } from './pipe-target';
import { websocketTransport } from './websocket-transport';

/**
 * Port-forward as kubectl 1.31+ does it: SPDY tunnelled through a WebSocket
 * (SPDY/3.1+portforward.k8s.io). For each local connection kubectl opens an error stream and a
 * data stream, both with headers port and requestID; the pair is forwarded to the pod's port.
 * When the service closes, both streams get a FIN; a failure is written on the error stream.
 */
interface Pair {
  data?: SpdyStream;
  error?: SpdyStream;
}

function refuse(headers: Headers): string | undefined {
  const port = headers.get('port');
  if (!port) return '"port" header is required';
  try {
    parsePort(port);
  } catch (e) {
    return e instanceof ApiError ? e.message : String(e);
  }
  const type = headers.get('streamtype');
  if (!type) return '"streamType" header is required';
  if (type !== 'data' && type !== 'error') return `invalid stream type "${type}"`;
  return undefined;
}

export function serveSpdyPortForward(ws: WebSocket, pod: KubeObject): () => void {
  const pairs = new Map<string, Pair>();
  const targets = new Set<Duplex>();

  const forward = (data: SpdyStream, error: SpdyStream) => {
    const port = Number(data.headers.get('port'));
    let target: Duplex;
    try {
      target = dialPodPort(pod, port);
    } catch (e) {
      void error.write(Buffer.from(forwardError(pod, port, e))).then(() => {
        error.end();
        data.end();
      });
      return;
    }
    targets.add(target);
    data.onData((chunk) => {
      if (!target.write(chunk)) {
        ws.pause();
        target.once('drain', () => ws.resume());
      }
    });
    data.onEnd(() => (data.reset ? target.destroy() : target.end()));
    pumpToClient(target, (chunk) => data.write(chunk), () => {
      targets.delete(target);
      data.end();
      error.end();
    });
  };

  const session = new SpdySession(websocketTransport(ws), {
    refuse,
    opened: (stream) => {
      const id = stream.headers.get('requestid') ?? String(stream.id);
      const pair = pairs.get(id) ?? {};
      if (stream.headers.get('streamtype') === 'data') pair.data = stream;
      else pair.error = stream;
      if (pair.data && pair.error) {
        pairs.delete(id);
        forward(pair.data, pair.error);
      } else pairs.set(id, pair);
    },
  });
  session.onClose(() => {
    for (const t of targets) t.destroy();
  });
  return () => session.close();
}
