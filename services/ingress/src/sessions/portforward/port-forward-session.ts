import type { SessionHandler } from '../relay/session-handler';
import type { Message } from '../websocket/message-assembler';

/**
 * A port-forward: the agent's own traffic to a pod port, relayed unchanged and kept as metadata
 * only (bytes each way; the relay adds ports, duration and how it ended). Its content is never
 * recorded or masked: a rule must allow it with `unmasked: true`.
 */
export class PortForwardSession implements SessionHandler {
  bytesFromAgent = 0;
  bytesToAgent = 0;

  fromAgent(m: Message): void {
    this.bytesFromAgent += m.payload.length;
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
