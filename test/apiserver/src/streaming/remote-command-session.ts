import { ByteQueue, InputReader } from '../runtime/byte-queue';
import { runInContainer } from '../runtime/container-process';
import { ContainerInfo, DISCARD, ExecutableNotFound } from '../runtime/process';
import { Terminal } from '../runtime/terminal';
import { attachToMainProcess } from './attach';
import { ChannelConnection } from './channel-connection';
import { RemoteCommandOptions } from './exec-options';
import { CommandOutcome, commandStatus, encodeStatus } from './exec-status';
import { V5 } from './protocols';
import { ResizeDecoder } from './resize-decoder';

/**
 * An exec or attach session over an upgraded WebSocket: wires the channels to a fake process,
 * and when it ends writes the Status on the error channel and closes the connection.
 */
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;

export interface RemoteCommandRequest {
  kind: 'exec' | 'attach';
  container: ContainerInfo;
  options: RemoteCommandOptions;
  /** Interval between the lines of an attached main process. */
  followIntervalMs: number;
}

/** Starts the session; returns a function that ends it early (server shutdown). */
export function serveRemoteCommand(conn: ChannelConnection, r: RemoteCommandRequest): () => void {
  const o = r.options;
  const controller = new AbortController();
  const stdout = o.stdout ? conn.output(STDOUT) : DISCARD;
  const terminal = o.stdin && o.tty ? new Terminal(stdout) : undefined;
  const queue = o.stdin && !o.tty ? new ByteQueue() : undefined;
  const stdin: InputReader | undefined = terminal ?? queue;
  conn.onData(STDIN, (chunk) => (terminal ? terminal.input(chunk) : queue?.push(chunk)));
  conn.onStreamClose(STDIN, () => (terminal ? terminal.close() : queue?.end()));
  if (terminal) {
    const sizes = new ResizeDecoder((size) => (terminal.lastSize = size));
    conn.onData(RESIZE, (chunk) => sizes.push(chunk));
  }
  conn.onEnd(() => {
    terminal?.close();
    queue?.end();
    controller.abort('session ended');
  });

  // The lowest writable channel gets an empty message first: "the streams are ready".
  void conn.write(o.stdout ? STDOUT : o.stderr ? STDERR : ERROR, Buffer.alloc(0));

  const translated = conn.protocol === V5;
  const finish = (outcome: CommandOutcome) => {
    if (!conn.open) return;
    const text = encodeStatus(commandStatus(outcome, o.command, translated), conn.protocol.statusJson);
    if (text !== undefined) void conn.write(ERROR, text);
    conn.close();
  };
  if (!o.stdin && !o.stdout && !o.stderr) {
    // Only v5 gets here (the kubelet refuses before upgrading); the translator reports the kubelet's refusal.
    finish({ translatorError: 'unable to upgrade connection: you must specify at least 1 of stdin, stdout, stderr' });
    return () => conn.close();
  }

  // With a TTY, stderr is the same terminal as stdout.
  const out = terminal ? terminal.output(stdout) : stdout;
  const err = terminal ? out : o.stderr ? conn.output(STDERR) : DISCARD;
  const io = { ...(stdin ? { stdin } : {}), stdout: out, stderr: err, ...(terminal ? { terminal } : {}), signal: controller.signal };
  const run = r.kind === 'exec' ? runInContainer(r.container, o.command, io) : attachToMainProcess(r.container, io, o.stdin, r.followIntervalMs);
  run.then(
    (exitCode) => finish({ exitCode }),
    (e: unknown) =>
      finish({
        runtimeError:
          e instanceof ExecutableNotFound
            ? `failed to exec in container: OCI runtime exec failed: exec failed: unable to start container process: ${e.message}: unknown`
            : `failed to exec in container: ${e instanceof Error ? e.message : String(e)}`,
      }),
  );
  return () => {
    controller.abort('server closing');
    conn.close();
  };
}
