/**
 * Worker-thread entry (compiled to dist/mask-streams/mask-worker.js): masks one JSON document per
 * message. Input and output bytes are transferred, not copied; the profile travels by name.
 * Never logs: error replies carry only the masking failure's own message, never body content.
 */
import { parentPort } from 'node:worker_threads';
import { MaskingFailed, profileFor } from '@chaperone/masking';
import { maskJsonDocument, ownArrayBuffer } from './mask-document';
import type { WorkerJob, WorkerResult } from './mask-pool';

const port = parentPort;
if (!port) throw new Error('mask-worker must run in a worker thread');

port.on('message', (job: WorkerJob) => {
  let result: WorkerResult;
  let transfer: ArrayBuffer[] = [];
  try {
    const { output, report } = maskJsonDocument(new Uint8Array(job.bytes), profileFor(job.profile));
    const bytes = ownArrayBuffer(output);
    result = { id: job.id, ok: true, bytes, length: output.length, report };
    transfer = [bytes];
  } catch (e) {
    result = { id: job.id, ok: false, maskingFailed: e instanceof MaskingFailed, message: e instanceof MaskingFailed ? e.message : 'masking failed' };
  }
  port.postMessage(result, transfer);
});
