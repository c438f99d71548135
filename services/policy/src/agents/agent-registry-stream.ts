import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import {
  AgentRegistryEventSchema,
  EvidenceStreams,
  parseContract,
  type AgentLimits,
  type AgentScope,
  type Decision,
  type Identity,
  type RequestInfo,
} from '@chaperone/contracts';
import { WrongExpectedRevision, type EventStore } from '@chaperone/event-store';
import { AgentsFileError, loadAgentsFile } from './agents-file';
import { watchAgentsFile, type FileWatch } from './agents-file-watch';
import { decide, evolve, initialRegistry, type RegistryState } from './registry-decider';
import { registryRefusal } from './registry-refusal';

export interface AgentRegistryOptions {
  /** The agents file to apply (unset: the registry stream is only read). */
  file: string | undefined;
  /** Refuse requests from agents that are not registered. */
  required: boolean;
  /** Re-apply the file when it changes. */
  watch: boolean;
  /** How often the registry stream is re-read (changes applied by other replicas); default 5000 ms. */
  refreshMs?: number;
}

export interface RegistryLog {
  log(message: string): void;
  warn(message: string): void;
}

const APPLY_ATTEMPTS = 10;

/**
 * Agents as registered identities. The registry is the `agent-registry` stream of the event store;
 * this class applies the agents file to it and answers, for each request, whether the agent may
 * make it.
 *
 * Applying: read the stream, fold it into the registry, diff the file against it (decide, in registry-decider.ts)
 * and append the resulting events with the EXACT expected revision. Two replicas applying the same
 * file race on that revision: the loser re-reads, finds nothing left to do, and stores nothing;
 * a restart finds nothing to do either. So each change is stored exactly once.
 */
export class AgentRegistry {
  private state: RegistryState = initialRegistry;
  /** Revision of the last registry event folded in; -1: none. */
  private revision = -1;
  private loaded = false;
  private pendingApply = false;
  private appliedVersion: string | undefined;
  private watcher: FileWatch | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private readonly file: string | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly opts: AgentRegistryOptions,
    private readonly log: RegistryLog,
    private readonly now: () => Date = () => new Date(),
    private readonly newId: () => string = randomUUID,
  ) {
    this.file = opts.file ? resolve(opts.file) : undefined;
  }

  /** True once the registry has been read from the store. */
  get ready(): boolean {
    return this.loaded;
  }

  get agents(): RegistryState {
    return this.state;
  }

  /**
   * Validates the file (throws AgentsFileError: a bad file stops the service), then applies it.
   * If the store cannot be reached yet, the service still starts; requests from agents are
   * refused (fail closed) until the registry is loaded, retried every refreshMs.
   */
  async start(): Promise<void> {
    if (this.file) {
      const result = this.readFile();
      if (!result.ok) throw new AgentsFileError(this.file, result.errors);
    }
    await this.sync().catch((err: unknown) => this.log.warn(`agent registry not loaded yet (retrying): ${message(err)}`));
    if (this.opts.watch && this.file) this.watchFile(this.file);
    const tick = () => {
      this.ticker = setTimeout(() => {
        void this.sync()
          .catch((err: unknown) => this.log.warn(`agent registry refresh failed: ${message(err)}`))
          .finally(tick);
      }, this.opts.refreshMs ?? 5000);
      this.ticker.unref();
    };
    tick();
  }

  /** Re-apply the file if a previous apply did not finish; else pick up changes from the stream. */
  private async sync(): Promise<void> {
    if (this.file && (this.pendingApply || this.appliedVersion === undefined)) await this.applyFile();
    else await this.refresh();
  }

  /** Folds registry events stored since the last read. */
  async refresh(): Promise<void> {
    const events = await this.store.readStream(EvidenceStreams.agentRegistry, { fromRevision: this.revision + 1 });
    for (const e of events) {
      this.state = evolve(this.state, parseContract(AgentRegistryEventSchema, 'AgentRegistryEvent', e.data));
      this.revision = e.revision;
    }
    this.loaded = true;
  }

  /** Applies the file to the registry stream; returns how many events this replica stored. */
  async applyFile(): Promise<number> {
    if (!this.file) return 0;
    const result = this.readFile();
    if (!result.ok) throw new AgentsFileError(this.file, result.errors);
    this.pendingApply = true;
    for (let attempt = 1; ; attempt++) {
      await this.refresh();
      const events = decide({ type: 'ApplyAgentsFile', agents: result.agents, source: `file:${this.file} ${result.version}`, time: this.now().toISOString() }, this.state);
      if (events.length > 0) {
        try {
          await this.store.append(
            EvidenceStreams.agentRegistry,
            events.map((e) => ({ eventId: this.newId(), type: e.type, data: e })),
            { expectedRevision: this.revision === -1 ? 'no_stream' : this.revision },
          );
        } catch (err) {
          // Another replica applied a change first: read what it stored and diff again.
          if (err instanceof WrongExpectedRevision && attempt < APPLY_ATTEMPTS) continue;
          throw err;
        }
        await this.refresh();
        this.log.log(`agent registry: ${events.map((e) => `${e.type} ${e.agent}`).join(', ')} (from ${basename(this.file)})`);
      }
      this.pendingApply = false;
      this.appliedVersion = result.version;
      return events.length;
    }
  }

  /**
   * The refusal for a request the registry does not allow, or undefined when the registry has no
   * objection (the policy rules then decide). See registryRefusal.
   */
  refuse(identity: Identity, request: RequestInfo, policyVersion: string): Decision | undefined {
    return registryRefusal({ loaded: this.loaded, required: this.opts.required, registration: this.state.get(identity.agent) }, identity, request, policyVersion);
  }

  /** The agent's registered scope; undefined when it is not registered. */
  scopeOf(identity: Identity): AgentScope | undefined {
    return this.state.get(identity.agent)?.scope;
  }

  /** The agent's registered limits, for the ingress to enforce; undefined when it has none. */
  limitsFor(identity: Identity): AgentLimits | undefined {
    return this.state.get(identity.agent)?.limits;
  }

  /** Stops watching and refreshing, and closes the store. */
  async close(): Promise<void> {
    clearTimeout(this.ticker);
    this.watcher?.close();
    this.watcher = undefined;
    await this.store.close();
  }

  private readFile(): ReturnType<typeof loadAgentsFile> {
    try {
      return loadAgentsFile(readFileSync(this.file as string));
    } catch (err) {
      return { ok: false, errors: [`0:0: cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`] };
    }
  }

  /** Re-applies the file when it changes to a new version; a bad version leaves the registry as it is. */
  private watchFile(file: string): void {
    this.watcher = watchAgentsFile(
      file,
      () => {
        const result = this.readFile();
        if (result.ok && result.version === this.appliedVersion) return;
        this.applyFile().catch((err: unknown) => {
          this.log.warn(
            err instanceof AgentsFileError
              ? `agents file change refused, the registry stays as it is:\n${err.message}`
              : `agents file not applied yet (retrying): ${message(err)}`,
          );
        });
      },
      (e) => this.log.warn(`watching the agents file failed: ${e.message}`),
    );
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
