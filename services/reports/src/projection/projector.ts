import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { CatchUpSubscription, EventStore } from '@chaperone/event-store';
import { Readiness } from '@chaperone/service-runtime';
import { applyRecorded, emptyReadModel, type ReadModel } from '../read-model';
import { EVENT_STORE, REPORTS_CONFIG, SNAPSHOTS } from '../tokens';
import type { ReportsConfig } from '../config';
import { catchUp, resumeAt } from './catch-up';
import { nextSnapshotDelayMs } from './snapshot-schedule';
import type { SnapshotStore } from './snapshot-store';

export interface RebuildResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  position: number;
}

/**
 * Keeps this replica's read model: loads the last snapshot (state + checkpoint), catches up from the
 * store, then follows it live through a catch-up subscription. Every replica holds its own model,
 * built from the store alone: nothing here is shared state another replica needs.
 */
@Injectable()
export class Projector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(Projector.name);
  private model: ReadModel = emptyReadModel();
  private live: CatchUpSubscription | undefined;
  private caughtUp = false;
  private stopped = false;
  private snapshotTimer: NodeJS.Timeout | undefined;
  private savedPosition = 0;
  /** How long the last snapshot took to save: a slow one spaces the next ones out. */
  private lastSaveMs: number | undefined;
  private saving: Promise<void> | undefined;
  private rebuilding: Promise<RebuildResult> | undefined;
  private resubscribeTimer: NodeJS.Timeout | undefined;
  /** Where this replica's model started: the snapshot's position, or null (built from zero). */
  loadedSnapshotAt: number | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SNAPSHOTS) private readonly snapshots: SnapshotStore,
    @Inject(REPORTS_CONFIG) private readonly config: ReportsConfig,
    readiness: Readiness,
  ) {
    readiness.add('read-model', () => ({
      ok: this.caughtUp,
      detail: `position ${this.model.position}, ${this.model.applied} events${this.live ? '' : ', live subscription down'}`,
    }));
  }

  /** The current read model. Callers read it and must not keep it across awaits of their own. */
  get readModel(): ReadModel {
    return this.model;
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      const loaded = await this.snapshots.load();
      if (loaded) {
        this.model = loaded;
        this.savedPosition = loaded.position;
        this.loadedSnapshotAt = loaded.position;
        this.logger.log(`snapshot loaded at position ${loaded.position} (${loaded.applied} events)`);
      }
    } catch (e) {
      this.logger.warn(`snapshot not loaded, building from the store: ${e instanceof Error ? e.message : String(e)}`);
    }
    const t0 = performance.now();
    const read = await catchUp(this.store, this.model);
    this.logger.log(`caught up: ${read} events in ${((performance.now() - t0) / 1000).toFixed(1)} s, position ${this.model.position}`);
    this.caughtUp = true;
    await this.subscribe();
    if (this.config.snapshotIntervalSeconds > 0) this.scheduleSnapshot();
  }

  /** The next snapshot, after the interval or longer when saving takes long (nextSnapshotDelayMs). */
  private scheduleSnapshot(): void {
    if (this.stopped) return;
    const delay = nextSnapshotDelayMs(this.config.snapshotIntervalSeconds, this.lastSaveMs);
    this.snapshotTimer = setTimeout(() => void this.saveSnapshot().finally(() => this.scheduleSnapshot()), delay);
    this.snapshotTimer.unref();
  }

  /** Rebuild from zero: a fresh model from the whole store, swapped in when complete (queries keep the old one meanwhile). */
  rebuild(): Promise<RebuildResult> {
    this.rebuilding ??= this.doRebuild().finally(() => (this.rebuilding = undefined));
    return this.rebuilding;
  }

  private async doRebuild(): Promise<RebuildResult> {
    await this.live?.close();
    this.live = undefined;
    const fresh = emptyReadModel();
    const t0 = performance.now();
    const events = await catchUp(this.store, fresh);
    const seconds = (performance.now() - t0) / 1000;
    this.model = fresh;
    await this.subscribe();
    this.savedPosition = 0;
    await this.saveSnapshot();
    this.logger.log(`rebuilt from zero: ${events} events in ${seconds.toFixed(2)} s`);
    return { events, seconds, eventsPerSecond: seconds > 0 ? Math.round(events / seconds) : events, position: fresh.position };
  }

  private async subscribe(): Promise<void> {
    if (this.stopped) return;
    const model = this.model;
    try {
      this.live = await this.store.subscribeToAll(
        { fromPosition: resumeAt(model), batchMs: this.config.followBatchMs },
        (e) => {
          if (this.model === model) applyRecorded(model, e);
        },
        (err) => {
          this.logger.warn(`live subscription stopped (resubscribing): ${err.message}`);
          this.live = undefined;
          this.scheduleResubscribe();
        },
      );
    } catch (e) {
      this.logger.warn(`live subscription failed (retrying): ${e instanceof Error ? e.message : String(e)}`);
      this.scheduleResubscribe();
    }
  }

  private scheduleResubscribe(): void {
    if (this.stopped || this.resubscribeTimer) return;
    this.resubscribeTimer = setTimeout(() => {
      this.resubscribeTimer = undefined;
      void this.subscribe();
    }, 1000);
  }

  /** Persist the model and its checkpoint, when it moved since the last save. */
  async saveSnapshot(): Promise<void> {
    if (this.saving || this.model.position <= this.savedPosition) return this.saving;
    const model = this.model;
    this.saving = (async () => {
      try {
        const position = model.position;
        const started = performance.now();
        const bytes = await this.snapshots.save(model);
        this.lastSaveMs = performance.now() - started;
        this.savedPosition = position;
        this.logger.log(`snapshot saved at position ${position} (${bytes} bytes gzipped, in ${Math.round(this.lastSaveMs)} ms)`);
      } catch (e) {
        this.logger.warn(`snapshot not saved: ${e instanceof Error ? e.message : String(e)}`);
      }
    })().finally(() => (this.saving = undefined));
    return this.saving;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.snapshotTimer);
    clearTimeout(this.resubscribeTimer);
    await this.live?.close();
    await this.saving;
    await this.store.close();
  }
}
