import { useEffect, useRef, useState } from 'preact/hooks';
import { forPlayer } from './cast';
import type { RecordingLink } from './types';

/**
 * An exec or attach session's recording, played inline with asciinema-player. The asciicast is
 * fetched with the user's token (never in a URL) and handed to the player as data; it is the file
 * as stored, which the gateway masked before storing it. The player (and its WebAssembly terminal)
 * is loaded only when a replay has a recording.
 */
export function Recording({ token, link }: { token: string; link: RecordingLink }) {
  const box = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | undefined>();
  const href = link.state === 'stored' ? link.href : undefined;

  useEffect(() => {
    if (!href || !box.current) return undefined;
    let player: { dispose(): void } | undefined;
    let gone = false;
    const load = async (): Promise<void> => {
      const res = await fetch(`/api/${href.replace(/^\//, '')}`, { headers: { authorization: `Bearer ${token}` } });
      if (!res.ok) throw new Error(`the recording could not be read (${res.status})`);
      const cast = forPlayer(await res.text());
      const { create } = await import('./player');
      if (gone || !box.current) return;
      player = create({ data: cast }, box.current, { fit: 'width', terminalFontSize: 'small', idleTimeLimit: 2, controls: true, preload: true });
    };
    load().catch((e: Error) => setError(e.message));
    return () => {
      gone = true;
      player?.dispose();
    };
  }, [token, href]);

  if (link.state === 'pruned') return <p class="muted">Session recording: deleted by retention{link.prunedAsOf ? ` (prune as of ${link.prunedAsOf})` : ''}.</p>;
  return (
    <figure class="recording" data-testid="recording">
      <figcaption>
        Session recording ({link.size} bytes, masked{link.truncated ? ', truncated at the size limit' : ''}). Focus the player and press Space to play or pause, ← and → to seek.
      </figcaption>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <div ref={box} class="player" />
    </figure>
  );
}
