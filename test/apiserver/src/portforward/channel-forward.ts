import WebSocket from 'ws';
import { ChannelConnection } from '../streaming/channel-connection';
import { ChannelProtocol } from '../streaming/protocols';
import { KubeObject } from '../types';
import { dialPodPort } from './echo-service';
import { forwardError } from './forward-error';
import { pumpToClient } from './pipe-target';

/**
 * Port-forward over the kubelet's channel protocol (what API clients other than kubectl use):
 * one connection per listed port, on channels 2i (data) and 2i+1 (error); each channel's first
 * message is the port as 2 little-endian bytes. The WebSocket closes when every port's
 * connection has ended.
 */
export function serveChannelPortForward(ws: WebSocket, protocol: ChannelProtocol, pod: KubeObject, ports: number[]): () => void {
  const conn = new ChannelConnection(ws, protocol);
  let open = ports.length;
  const finished = () => {
    open -= 1;
    if (open === 0) conn.close();
  };
  const targets = ports.map((port, i) => {
    const data = 2 * i;
    const error = data + 1;
    const header = Buffer.alloc(2);
    header.writeUInt16LE(port);
    void conn.write(data, header);
    void conn.write(error, header);
    try {
      const target = dialPodPort(pod, port);
      conn.onData(data, (chunk) => {
        if (!target.write(chunk)) {
          ws.pause();
          target.once('drain', () => ws.resume());
        }
      });
      pumpToClient(target, (chunk) => conn.write(data, chunk), finished);
      return target;
    } catch (e) {
      void conn.write(error, forwardError(pod, port, e));
      finished();
      return undefined;
    }
  });
  conn.onEnd(() => {
    for (const t of targets) t?.destroy();
  });
  return () => conn.close();
}
