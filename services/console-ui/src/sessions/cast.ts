/**
 * An asciicast for the player. A session without a terminal records its output lines ending in a
 * bare "\n" (no terminal turned it into "\r\n"), which a terminal emulator shows as a staircase:
 * each output line's "\n" becomes "\r\n" (a terminal session's "\r\n" is left as it is).
 */
export function forPlayer(cast: string): string {
  return cast
    .split('\n')
    .map((line, i) => {
      if (i === 0 || !line.startsWith('[')) return line;
      try {
        const ev = JSON.parse(line) as unknown;
        if (!Array.isArray(ev) || ev[1] !== 'o' || typeof ev[2] !== 'string') return line;
        return JSON.stringify([ev[0], 'o', ev[2].replace(/\r?\n/g, '\r\n')]);
      } catch {
        return line;
      }
    })
    .join('\n');
}
