import { watch as watchFs } from 'node:fs';
import { dirname } from 'node:path';

/** A watch that can be stopped. */
export interface FileWatch {
  close(): void;
}

/**
 * Calls `onChange` 100 ms after the last change to the file, like the policy file's watch: it
 * watches the directory, since ConfigMaps and editors replace the file rather than write it.
 */
export function watchAgentsFile(file: string, onChange: () => void, onError: (e: Error) => void): FileWatch {
  let debounce: NodeJS.Timeout | undefined;
  const watcher = watchFs(dirname(file), { persistent: false }, () => {
    clearTimeout(debounce);
    debounce = setTimeout(onChange, 100);
  });
  watcher.on('error', onError);
  return {
    close: () => {
      clearTimeout(debounce);
      watcher.close();
    },
  };
}
