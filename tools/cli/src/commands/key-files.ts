import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { loadPrivateKey, loadPublicKey } from '@chaperone/evidence-chain';
import { UsageError } from '../command';

function readKeyFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the ${what} file ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** The checkpoint signing key (the audit service's CHAPERONE_CHECKPOINT_KEY_FILE); errors never show the key. */
export function readPrivateKeyFile(file: string): KeyObject {
  return loadPrivateKey(readKeyFile(file, 'private key'));
}

/** One or more public keys, comma-separated files (old and new during a key rotation). */
export function readPublicKeyFiles(files: string): KeyObject[] {
  return files.split(',').map((file) => loadPublicKey(readKeyFile(file, 'public key')));
}
