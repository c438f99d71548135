import { ChannelProtocols } from '../channels/channel-protocol';
import type { SessionHandler } from '../relay/session-handler';
import { Opcode } from '../websocket/frame-codec';
import type { Message } from '../websocket/message-assembler';
import { SpdyPortWatcher } from './spdy-ports';

/**
 * A port-forward: the agent's own traffic to a pod port, relayed unchanged and kept as metadata
 * only: bytes each way and the ports (the request's, or those named by the SPDY tunnel's streams).
 * Its content is never recorded or masked: a rule must allow it with `unmasked: true`.
 */
export class PortForwardSession implements SessionHandler {
  bytesFromAgent = 0;
  bytesToAgent = 0;
  private readonly spdy: SpdyPortWatcher | undefined;

  constructor(protocol = '') {
    this.spdy = protocol === ChannelProtocols.spdyPortForward ? new SpdyPortWatcher() : undefined;
  }

  /** Ports named inside the session (the SPDY tunnel's streams). */
  get ports(): number[] {
    return [...(this.spdy?.ports ?? [])];
  }

  fromAgent(m: Message): void {
    this.bytesFromAgent += m.payload.length;
    if (this.spdy && m.opcode === Opcode.binary) this.spdy.push(m.payload);
  }

  fromCluster(m: Message): boolean {
    this.bytesToAgent += m.payload.length;
    return false;
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  endNotice(): Buffer | undefined {
    return undefined;
  }
}
