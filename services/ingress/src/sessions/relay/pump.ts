import type { Duplex } from 'node:stream';
import { FrameDecoder } from '../websocket/frame-codec';
import { MessageAssembler, type Message } from '../websocket/message-assembler';

/** How one direction ended: the peer closed its side, the connection broke, or it broke the protocol (or a handler failed). */
export type PumpEnd = { readonly kind: 'end' } | { readonly kind: 'broken' } | { readonly kind: 'failed'; readonly error: Error };

/**
 * Reads one direction of the connection as WebSocket messages and hands each to `onMessage`, in
 * order. While a handler's promise is pending the socket is paused, so nothing is read faster than
 * the other side (or the masking service) takes it. `head` is what arrived with the handshake.
 */
export function pump(
  source: Duplex,
  head: Buffer,
  opts: { masked: boolean; maxMessageBytes: number },
  onMessage: (m: Message) => Promise<void> | void,
): Promise<PumpEnd> {
  const decoder = new FrameDecoder({ masked: opts.masked, maxFrameBytes: opts.maxMessageBytes });
  const assembler = new MessageAssembler(opts.maxMessageBytes);
  return new Promise((resolve) => {
    let queue: Promise<void> = Promise.resolve();
    let settled = false;
    const settle = (end: PumpEnd) => {
      if (settled) return;
      settled = true;
      source.off('data', take);
      resolve(end);
    };
    const fail = (error: unknown) => settle({ kind: 'failed', error: error instanceof Error ? error : new Error(String(error)) });
    function take(chunk: Buffer): void {
      const messages: Message[] = [];
      try {
        for (const frame of decoder.push(chunk)) {
          const m = assembler.add(frame);
          if (m) messages.push(m);
        }
      } catch (e) {
        fail(e);
        return;
      }
      if (messages.length === 0) return;
      source.pause();
      queue = queue
        .then(async () => {
          for (const m of messages) if (!settled) await onMessage(m);
        })
        .then(() => {
          if (!settled) source.resume();
        }, fail);
    }
    source.on('data', take);
    source.once('end', () => void queue.then(() => settle({ kind: 'end' })));
    source.once('close', () => void queue.then(() => settle({ kind: 'broken' })));
    if (head.length > 0) take(head);
  });
}
