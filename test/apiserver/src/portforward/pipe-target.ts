import { Duplex } from 'node:stream';

/**
 * Copies a forwarded connection's output to the client with backpressure: the target is paused
 * while a write waits for room, as io.Copy would block.
 */
export function pumpToClient(target: Duplex, write: (chunk: Buffer) => Promise<void>, onEnd: () => void): void {
  target.on('data', (chunk: Buffer) => {
    target.pause();
    void write(chunk).then(() => target.resume());
  });
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  target.on('end', end);
  target.on('close', end);
  target.on('error', end);
}
