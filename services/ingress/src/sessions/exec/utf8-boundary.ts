/**
 * Where an incomplete UTF-8 sequence at the end of `bytes` starts (bytes.length when it ends on a
 * character boundary), so text is never cut inside a character.
 */
export function utf8Boundary(bytes: Buffer): number {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = bytes[n - back] as number;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}
