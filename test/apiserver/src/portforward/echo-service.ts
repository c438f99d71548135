import { Duplex } from 'node:stream';
import { KubeObject } from '../types';
import { listeningPorts } from './ports';

/**
 * What a forwarded port reaches: a fake echo service on every containerPort the pod declares.
 * Bytes sent come back unchanged until the client half-closes; a connection that opens with an
 * HTTP request gets one HTTP response naming the pod, port, method and path (so `curl` through a
 * port-forward works), then the service closes it.
 */
const HTTP_REQUEST_LINE = /^([A-Z]{3,10}) (\S+) HTTP\/1\.[01]\r?\n/;

export class PortNotListening extends Error {}

export function dialPodPort(pod: KubeObject, port: number): Duplex {
  const name = pod.metadata.name ?? '';
  if (!listeningPorts(pod).includes(port)) {
    throw new PortNotListening(`failed to connect to localhost:${port} inside namespace of pod ${name}: dial tcp4 127.0.0.1:${port}: connect: connection refused`);
  }
  return new EchoConnection(name, port);
}

class EchoConnection extends Duplex {
  private mode: 'undecided' | 'raw' | 'http' | 'done' = 'undecided';
  private head = Buffer.alloc(0);
  private blocked: (() => void) | undefined;

  constructor(
    private readonly pod: string,
    private readonly port: number,
  ) {
    super();
  }

  override _read(): void {
    const resume = this.blocked;
    this.blocked = undefined;
    resume?.();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.mode === 'raw') return this.echo(chunk, callback);
    if (this.mode === 'done') return callback();
    this.head = Buffer.concat([this.head, chunk]);
    const text = this.head.toString('latin1');
    if (this.mode === 'undecided') {
      if (!text.includes('\n') && this.head.length < 8192) return callback();
      this.mode = HTTP_REQUEST_LINE.test(text) ? 'http' : 'raw';
      if (this.mode === 'raw') {
        const buffered = this.head;
        this.head = Buffer.alloc(0);
        return this.echo(buffered, callback);
      }
    }
    if (!/\r?\n\r?\n/.test(text)) return callback();
    const [, method = '', path = ''] = HTTP_REQUEST_LINE.exec(text) ?? [];
    const body = `echo from pod ${this.pod} port ${this.port}: ${method} ${path}\n`;
    this.mode = 'done';
    this.push(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    this.push(null);
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.mode === 'undecided' && this.head.length > 0) this.push(this.head);
    if (this.mode !== 'done') this.push(null);
    callback();
  }

  private echo(chunk: Buffer, callback: (error?: Error | null) => void): void {
    if (this.push(chunk)) callback();
    else this.blocked = () => callback();
  }
}
