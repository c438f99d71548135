import { availableParallelism } from 'node:os';
import { setting } from '@chaperone/config';
import { commonSettings } from '@chaperone/service-runtime';
import { MAX_DOCUMENT_BYTES } from './mask-streams/mask-session';

/** Worker threads by default: one per core but one (the event loop keeps its own), at least one. */
export const DEFAULT_MASKING_WORKERS = Math.max(1, availableParallelism() - 1);
/**
 * Below this size a document is masked on the event loop. Handing a document to a worker (and
 * taking the result back) cost 3 to 5 ms more than masking a 1 MiB list in place, measured through
 * the gateway; at about 200 MB/s, a 2 MiB document holds the loop for about 10 ms, no more than
 * one exchange of a busy replica.
 */
export const DEFAULT_WORKER_MIN_BYTES = 2 * 1024 * 1024;

/** Every knob of the masking service. */
export const maskingSettings = {
  ...commonSettings(9402),
  workers: {
    ...setting.int(
      'CHAPERONE_MASKING_WORKERS',
      'worker threads that mask large JSON documents off the event loop, 0-64 (0 = mask everything on the event loop)',
      String(DEFAULT_MASKING_WORKERS),
      0,
      64,
    ),
    shownDefault: 'one per core but one, at least 1',
  },
  workerMinBytes: setting.int(
    'CHAPERONE_MASKING_WORKER_MIN_BYTES',
    `bytes from which a JSON document is masked in a worker thread, 0-${MAX_DOCUMENT_BYTES} (smaller ones are masked on the event loop)`,
    String(DEFAULT_WORKER_MIN_BYTES),
    0,
    MAX_DOCUMENT_BYTES,
  ),
};
