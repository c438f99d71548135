/** One event of an asciicast v2 file: seconds from the start, its code, its data. */
export type CastEvent = [number, string, string];

export interface Cast {
  header: { version: number; width: number; height: number; [key: string]: unknown };
  events: CastEvent[];
}

/** Parses an asciicast v2 file; anything else is an error naming the line. */
export function parseCast(text: string): Cast {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = JSON.parse(lines[0] ?? 'null') as Cast['header'] | null;
  if (!header || header.version !== 2) throw new Error('not an asciicast v2 recording (its first line is not a version 2 header)');
  const events = lines.slice(1).map((line, i) => {
    const e = JSON.parse(line) as unknown;
    if (!Array.isArray(e) || typeof e[0] !== 'number' || typeof e[1] !== 'string' || typeof e[2] !== 'string') throw new Error(`line ${i + 2} of the recording is not an event`);
    return e as CastEvent;
  });
  return { header, events };
}

export interface PlayOptions {
  /** 2 plays twice as fast. */
  speed: number;
  /** Longest pause kept (seconds, after the speed-up); a long idle stretch is shortened to it. */
  idleLimit: number;
  write(text: string): void;
  sleep(ms: number): Promise<void>;
}

/**
 * Plays the output (`o`) events with their timing, as a terminal player does. Input (`i`), resizes
 * and markers are not shown (what was typed appears in the echoed output); a marker is told once
 * at the end. Resolves to the number of events played.
 */
export async function playCast(cast: Cast, opts: PlayOptions): Promise<number> {
  let clock = 0;
  let played = 0;
  const markers: string[] = [];
  for (const [at, code, data] of cast.events) {
    if (code === 'm') markers.push(data);
    if (code !== 'o') continue;
    const wait = Math.min(Math.max(0, at - clock) / opts.speed, opts.idleLimit);
    clock = Math.max(clock, at);
    if (wait > 0) await opts.sleep(wait * 1000);
    opts.write(data);
    played++;
  }
  for (const m of markers) opts.write(`\r\n[${m}]\r\n`);
  return played;
}
