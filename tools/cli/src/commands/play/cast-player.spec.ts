import { parseCast, playCast } from './cast-player';

const CAST = [
  JSON.stringify({ version: 2, width: 80, height: 24, timestamp: 1 }),
  JSON.stringify([0.5, 'o', '/ # ']),
  JSON.stringify([0.6, 'i', 'ls\n']),
  JSON.stringify([1.5, 'o', 'ls\r\nbin etc\r\n']),
  JSON.stringify([100, 'o', 'late\r\n']),
  JSON.stringify([100, 'm', 'chaperone: recording truncated at 100 bytes']),
].join('\n');

describe('playing an asciicast', () => {
  it('given a recording, then output events are written with their pauses (sped up, idle capped)', async () => {
    const out: string[] = [];
    const waits: number[] = [];
    const n = await playCast(parseCast(CAST), { speed: 2, idleLimit: 3, write: (t) => out.push(t), sleep: async (ms) => void waits.push(ms) });
    expect(n).toBe(3);
    expect(out.slice(0, 3)).toEqual(['/ # ', 'ls\r\nbin etc\r\n', 'late\r\n']);
    expect(out[3]).toContain('recording truncated');
    expect(waits).toEqual([250, 500, 3000]);
  });

  it('given something else, then an error says so', () => {
    expect(() => parseCast('{"version":1}')).toThrow('not an asciicast v2 recording');
    expect(() => parseCast('{"version":2}\n{"x":1}')).toThrow('line 2 of the recording is not an event');
  });
});
