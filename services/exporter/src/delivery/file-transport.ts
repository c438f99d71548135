import { open, type FileHandle } from 'node:fs/promises';
import { DeliveryFailed, type Transport } from './transport';

/**
 * JSON lines appended to a file, synced after every batch. A process killed in the middle of a
 * write can leave a partial last line: it is cut off when the file is opened again, before the
 * batch it belonged to is written again whole.
 */
export class FileTransport implements Transport {
  private constructor(
    private readonly handle: FileHandle,
    readonly description: string,
  ) {}

  static async open(path: string): Promise<FileTransport> {
    const handle = await open(path, 'a+');
    await dropPartialLine(handle);
    return new FileTransport(handle, `file ${path}`);
  }

  async deliver(records: readonly unknown[]): Promise<void> {
    if (records.length === 0) return;
    try {
      await this.handle.appendFile(records.map((r) => `${JSON.stringify(r)}\n`).join(''), 'utf8');
      await this.handle.sync();
    } catch (e) {
      throw new DeliveryFailed(`${this.description}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

async function dropPartialLine(handle: FileHandle): Promise<void> {
  const { size } = await handle.stat();
  if (size === 0) return;
  // Look back for the last newline, a chunk at a time.
  const chunk = Buffer.alloc(64 * 1024);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const { bytesRead } = await handle.read(chunk, 0, end - start, start);
    const at = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (at >= 0) {
      if (start + at + 1 < size) await handle.truncate(start + at + 1);
      return;
    }
    end = start;
  }
  await handle.truncate(0);
}
