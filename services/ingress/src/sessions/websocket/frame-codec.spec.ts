import fc from 'fast-check';
import { closePayload, encodeFrame, FrameDecoder, Opcode, WebSocketProtocolError } from './frame-codec';
import { MessageAssembler } from './message-assembler';

const MAX = 1 << 20;

/** Feeds bytes to a decoder in the given cut points and returns the assembled messages. */
function decodeAll(bytes: Buffer, cuts: number[], masked: boolean): { opcode: number; payload: string }[] {
  const decoder = new FrameDecoder({ masked, maxFrameBytes: MAX });
  const assembler = new MessageAssembler(MAX);
  const out: { opcode: number; payload: string }[] = [];
  let at = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length)].sort((a, b) => a - b).concat(bytes.length)) {
    for (const f of decoder.push(bytes.subarray(at, cut))) {
      const m = assembler.add(f);
      if (m) out.push({ opcode: m.opcode, payload: m.payload.toString('latin1') });
    }
    at = cut;
  }
  return out;
}

describe('WebSocket frames (RFC 6455)', () => {
  it('given any payloads, masked or not, cut anywhere, when decoded, then the same messages come out', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 70_000 }), { minLength: 1, maxLength: 4 }), fc.boolean(), fc.array(fc.nat()), (payloads, masked, cuts) => {
        const wire = Buffer.concat(payloads.map((p) => encodeFrame(Opcode.binary, Buffer.from(p), { masked })));
        const got = decodeAll(wire, cuts.map((c) => c % (wire.length + 1)), masked);
        expect(got).toEqual(payloads.map((p) => ({ opcode: Opcode.binary, payload: Buffer.from(p).toString('latin1') })));
      }),
      { numRuns: 60 },
    );
  });

  it('joins fragments and delivers a ping sent between them first', () => {
    const wire = Buffer.concat([
      encodeFrame(Opcode.binary, Buffer.from('\x01hel'), { masked: true, fin: false }),
      encodeFrame(Opcode.ping, Buffer.from('p'), { masked: true }),
      encodeFrame(Opcode.continuation, Buffer.from('lo'), { masked: true, fin: true }),
    ]);
    expect(decodeAll(wire, [1, 5, 9], true)).toEqual([
      { opcode: Opcode.ping, payload: 'p' },
      { opcode: Opcode.binary, payload: '\x01hello' },
    ]);
  });

  it('keeps each frame as it arrived, so a relayed frame is byte for byte the original', () => {
    const frame = encodeFrame(Opcode.binary, Buffer.from('\x00ls\r'), { masked: true });
    const [decoded] = new FrameDecoder({ masked: true, maxFrameBytes: MAX }).push(frame);
    expect(decoded?.raw.equals(frame)).toBe(true);
  });

  it('refuses an unmasked client frame, a masked server frame, reserved bits and oversized frames', () => {
    const client = new FrameDecoder({ masked: true, maxFrameBytes: MAX });
    expect(() => client.push(encodeFrame(Opcode.binary, Buffer.from('x'), { masked: false }))).toThrow(WebSocketProtocolError);
    const server = new FrameDecoder({ masked: false, maxFrameBytes: MAX });
    expect(() => server.push(encodeFrame(Opcode.binary, Buffer.from('x'), { masked: true }))).toThrow('a server frame is masked');
    const rsv = encodeFrame(Opcode.binary, Buffer.from('x'), { masked: false });
    rsv[0] = (rsv[0] as number) | 0x40;
    expect(() => new FrameDecoder({ masked: false, maxFrameBytes: MAX }).push(rsv)).toThrow('reserved bits');
    const small = new FrameDecoder({ masked: false, maxFrameBytes: 10 });
    expect(() => small.push(encodeFrame(Opcode.binary, Buffer.alloc(11), { masked: false }))).toThrow(expect.objectContaining({ code: 1009 }));
  });

  it('refuses a continuation without a message, and a message inside a fragmented one', () => {
    expect(() => decodeAll(encodeFrame(Opcode.continuation, Buffer.from('x'), { masked: false }), [], false)).toThrow('continuation without a message');
    const two = Buffer.concat([encodeFrame(Opcode.text, Buffer.from('a'), { masked: false, fin: false }), encodeFrame(Opcode.text, Buffer.from('b'), { masked: false })]);
    expect(() => decodeAll(two, [], false)).toThrow('a new message inside a fragmented one');
  });

  it('writes a close payload as code and a reason of at most 123 bytes', () => {
    const p = closePayload(1001, 'x'.repeat(500));
    expect(p.readUInt16BE(0)).toBe(1001);
    expect(p.length).toBe(125);
  });
});
