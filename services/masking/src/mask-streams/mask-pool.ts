import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { MaskingFailed, type MaskingProfile, type MaskReport } from '@chaperone/masking';
import { maskJsonDocument, ownArrayBuffer, type MaskedDocument } from './mask-document';

/** One document sent to a worker. */
export interface WorkerJob {
  id: number;
  bytes: ArrayBuffer;
  profile: string;
}

export type WorkerResult =
  | { id: number; ok: true; bytes: ArrayBuffer; length: number; report: MaskReport }
  | { id: number; ok: false; maskingFailed: boolean; message: string };

export interface MaskPoolOptions {
  /** Worker threads; 0 masks every document on the calling thread. */
  workers: number;
  /** Documents of at least this many bytes go to a worker; smaller ones are masked inline. */
  minBytes: number;
  /** The compiled worker entry; default: mask-worker.js next to this module. */
  workerFile?: string;
}

interface Job {
  id: number;
  bytes: Uint8Array;
  profile: string;
  resolve: (doc: MaskedDocument) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
}

/** The compiled worker file, next to this module in dist/ (tests from sources pass the built one). */
export function defaultWorkerFile(): string {
  return join(__dirname, 'mask-worker.js');
}

/**
 * Masks whole JSON documents, large ones in worker threads so that one big list does not hold up
 * every other masked response on this replica. Jobs wait FIFO when every worker is busy. A worker
 * that dies fails its job (fail closed: MaskingFailed) and is replaced.
 */
export class MaskWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly workerFile: string;
  private nextId = 1;
  private closed = false;
  /** Documents masked on the calling thread (below the threshold, or no workers). */
  inline = 0;
  /** Documents sent to a worker. */
  offloaded = 0;
  /** Workers that died and were replaced. */
  replaced = 0;

  constructor(private readonly opts: MaskPoolOptions) {
    this.workerFile = opts.workerFile ?? defaultWorkerFile();
    if (opts.workers > 0 && !existsSync(this.workerFile)) {
      throw new Error(`masking worker entry ${this.workerFile} not found (build the masking service first)`);
    }
    for (let i = 0; i < opts.workers; i++) this.slots.push(this.spawn());
  }

  get size(): number {
    return this.slots.length;
  }

  /** Jobs waiting for a free worker. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Mask one document. Rejects with MaskingFailed exactly as inline masking throws it. `bytes` may
   * be transferred to a worker: the caller must not use it afterwards.
   */
  mask(bytes: Uint8Array, profile: MaskingProfile): Promise<MaskedDocument> {
    if (this.closed) return Promise.reject(new MaskingFailed('the masking service is shutting down'));
    if (this.slots.length === 0 || bytes.byteLength < this.opts.minBytes) {
      this.inline++;
      try {
        return Promise.resolve(maskJsonDocument(bytes, profile));
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new MaskingFailed('masking failed'));
      }
    }
    this.offloaded++;
    return new Promise<MaskedDocument>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, bytes, profile: profile.name, resolve, reject });
      this.dispatch();
    });
  }

  /** Stop every worker; queued and running jobs fail closed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const failed = new MaskingFailed('the masking service is shutting down');
    for (const job of this.queue.splice(0)) job.reject(failed);
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      slot.job?.reject(failed);
      slot.job = undefined;
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = new Worker(this.workerFile);
    const slot: Slot = { worker, job: undefined };
    worker.on('message', (result: WorkerResult) => this.onResult(slot, result));
    // An uncaught error is followed by 'exit': the slot is failed and replaced there, once.
    worker.on('error', () => undefined);
    worker.on('exit', () => this.onExit(slot));
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.job) continue;
      const job = this.queue.shift() as Job;
      slot.job = job;
      const bytes = ownArrayBuffer(job.bytes);
      const message: WorkerJob = { id: job.id, bytes, profile: job.profile };
      slot.worker.postMessage(message, [bytes]);
    }
  }

  private onResult(slot: Slot, result: WorkerResult): void {
    const job = slot.job;
    if (!job || job.id !== result.id) return;
    slot.job = undefined;
    if (result.ok) job.resolve({ output: Buffer.from(result.bytes, 0, result.length), report: result.report });
    else job.reject(result.maskingFailed ? new MaskingFailed(result.message) : new Error('masking failed'));
    this.dispatch();
  }

  private onExit(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return; // closed: already failed and removed
    slot.job?.reject(new MaskingFailed('the masking worker stopped'));
    slot.job = undefined;
    this.replaced++;
    this.slots[i] = this.spawn();
    this.dispatch();
  }
}
