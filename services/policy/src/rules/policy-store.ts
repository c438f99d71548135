import { watch as watchFs, readFileSync, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Decision, Identity, RequestInfo } from '@chaperone/contracts';
import type { CompiledPolicy } from './compile-policy';
import { evaluate } from './evaluate';
import { formatPolicyErrors, loadPolicy, policyVersion, type PolicyError } from './load-policy';

/** Thrown by PolicyStore.fromFile: the service must not start on a policy it cannot read. */
export class PolicyLoadError extends Error {
  constructor(
    readonly source: string,
    readonly errors: readonly PolicyError[],
  ) {
    super(`invalid policy ${source}:\n${formatPolicyErrors(source, errors)}`);
    this.name = 'PolicyLoadError';
  }
}

export type ReloadResult =
  | { ok: true; version: string; changed: boolean }
  | { ok: false; errors: PolicyError[] };

export interface WatchOptions {
  /** Quiet period before reloading; editors write a file in several steps. Default 100 ms. */
  debounceMs?: number;
}

/**
 * Holds the current compiled policy and swaps it atomically on reload. An invalid new file never
 * replaces a valid one: the service keeps deciding with the last good policy and the caller
 * reports the errors. Nothing is logged here; results are returned to the caller.
 */
export class PolicyStore {
  private policy: CompiledPolicy;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Version of the last invalid content reported by watch(), so it is reported once. */
  private lastFailedVersion: string | undefined;

  private constructor(
    readonly path: string,
    initial: CompiledPolicy,
  ) {
    this.policy = initial;
  }

  /** Loads the policy at startup; throws PolicyLoadError if it cannot be read or is invalid. */
  static fromFile(path: string): PolicyStore {
    const absolute = resolve(path);
    const bytes = readBytes(absolute);
    const result = Buffer.isBuffer(bytes) ? loadPolicy(bytes, absolute) : { ok: false as const, errors: [bytes] };
    if (!result.ok) throw new PolicyLoadError(absolute, result.errors);
    return new PolicyStore(absolute, result.policy);
  }

  get current(): CompiledPolicy {
    return this.policy;
  }

  get version(): string {
    return this.policy.version;
  }

  evaluate(identity: Identity, request: RequestInfo): Decision {
    return evaluate(this.policy, identity, request);
  }

  /** Re-reads the file; on failure the previous policy stays in force. */
  reload(): ReloadResult {
    const bytes = readBytes(this.path);
    return Buffer.isBuffer(bytes) ? this.apply(bytes) : { ok: false, errors: [bytes] };
  }

  private apply(bytes: Buffer): ReloadResult {
    const result = loadPolicy(bytes, this.path);
    if (!result.ok) return result;
    const changed = result.policy.version !== this.policy.version;
    if (changed) this.policy = result.policy;
    return { ok: true, version: this.policy.version, changed };
  }

  /**
   * Watches the file's *directory*, not the file: editors and `kubectl` ConfigMap mounts replace
   * the file by rename (or swap a `..data` symlink), which ends a watch on the old inode. Any event
   * in the directory triggers a debounced reload; `onChange` is called only when the policy
   * actually changed or new content failed to load (each bad version once), so unrelated files
   * in the directory cause no noise. Call close() to stop.
   */
  watch(onChange: (result: ReloadResult) => void, options: WatchOptions = {}): void {
    if (this.watcher) throw new Error('PolicyStore is already watching');
    const debounceMs = options.debounceMs ?? 100;
    const watcher = watchFs(dirname(this.path), { persistent: false }, () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.reloadFromWatch(onChange);
      }, debounceMs);
    });
    watcher.on('error', (e: Error) => {
      // An unhandled 'error' on an FSWatcher would crash the process; report it instead.
      onChange({ ok: false, errors: [{ line: 0, column: 0, path: '', message: `watch failed: ${e.message}` }] });
    });
    this.watcher = watcher;
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
  }

  private reloadFromWatch(onChange: (result: ReloadResult) => void): void {
    const bytes = readBytes(this.path);
    // Read failures (file deleted and not replaced within the debounce) are reported once, too.
    const version = Buffer.isBuffer(bytes) ? policyVersion(bytes) : `unreadable:${bytes.message}`;
    if (version === this.policy.version || version === this.lastFailedVersion) return;
    const result = Buffer.isBuffer(bytes) ? this.apply(bytes) : { ok: false as const, errors: [bytes] };
    this.lastFailedVersion = result.ok ? undefined : version;
    onChange(result);
  }
}

/** The file's bytes, or a positionless error saying why they could not be read. */
function readBytes(path: string): Buffer | PolicyError {
  try {
    return readFileSync(path);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    return { line: 0, column: 0, path: '', message: `cannot read ${basename(path)}: ${reason}` };
  }
}
