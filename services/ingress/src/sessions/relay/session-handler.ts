import type { SessionEnding } from '@chaperone/contracts';
import type { Message } from '../websocket/message-assembler';

/** What a kind of session (exec/attach, port-forward) does with the messages the relay carries. */
export interface SessionHandler {
  /** A data message from the agent; it is relayed to the cluster unchanged after this returns. */
  fromAgent(m: Message): void;
  /** A data message from the cluster: true when the handler sent it to the agent itself (rewritten), false to relay it unchanged. */
  fromCluster(m: Message): Promise<boolean> | boolean;
  /** Release output held back (a partial line being masked): before the cluster's close, and at the end. */
  flush(): Promise<void>;
  /** A data message the agent gets when the gateway itself ends the session (a Status on the error channel). */
  endNotice(ending: SessionEnding): Buffer | undefined;
}
