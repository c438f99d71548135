import { Opcode, WebSocketProtocolError, CloseCode, type Frame } from './frame-codec';

/** A whole message (its fragments joined), or a control frame, with the frames it came in. */
export interface Message {
  readonly opcode: number;
  readonly payload: Buffer;
  /** The frames as received, to relay unchanged when the message is not rewritten. */
  readonly frames: readonly Buffer[];
}

/**
 * Joins fragmented data messages (§5.4). Control frames may arrive between the fragments of a
 * message and are delivered at once; a message longer than `maxMessageBytes` closes the connection.
 */
export class MessageAssembler {
  private opcode = -1;
  private parts: Buffer[] = [];
  private raws: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxMessageBytes: number) {}

  /** The message this frame completes, if any. */
  add(frame: Frame): Message | undefined {
    if ((frame.opcode & 0x8) !== 0) return { opcode: frame.opcode, payload: frame.payload, frames: [frame.raw] };
    if (frame.opcode === Opcode.continuation) {
      if (this.opcode < 0) throw new WebSocketProtocolError('continuation without a message');
    } else {
      if (this.opcode >= 0) throw new WebSocketProtocolError('a new message inside a fragmented one');
      this.opcode = frame.opcode;
    }
    this.size += frame.payload.length;
    if (this.size > this.maxMessageBytes) throw new WebSocketProtocolError('message too large', CloseCode.tooBig);
    this.parts.push(frame.payload);
    this.raws.push(frame.raw);
    if (!frame.fin) return undefined;
    const message: Message = { opcode: this.opcode, payload: this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts), frames: this.raws };
    this.opcode = -1;
    this.parts = [];
    this.raws = [];
    this.size = 0;
    return message;
  }
}
