import { readFileSync } from 'node:fs';
import { headsOf, verifyProofDocument, type SignedTreeHead } from '@chaperone/merkle-log';
import { option, rejectUnknownOptions, requiredOption } from '../args';
import { UsageError, type Command } from '../command';
import { readPublicKeyFiles } from './key-files';

const USAGE = `usage: chaperone verify-proof FILE --public-key-file <pem>[,<pem>] [--trusted-head FILE[,FILE]] [--json]

Checks a proof written by chaperone proof, offline, with only the public key: each tree head's
signature, each inclusion proof from the event's recomputed leaf to the signed root, or the
consistency proof between the two signed heads. Exit code 0: the proof holds; 1: it does not.

  --public-key-file  the checkpoint public key, PEM (env CHAPERONE_CHECKPOINT_PUBLIC_KEY_FILE); during
                     a key rotation, the old and the new key files, comma-separated
  --trusted-head     earlier proofs (or tree heads) you kept: a head of the same size in FILE must
                     have the same root, or the log was rewritten since
  --json             print the result as JSON`;

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`${file} is not JSON`);
  }
}

/** `chaperone verify-proof`: the offline check of an inclusion or consistency proof. */
export const verifyProofCommand: Command = {
  name: 'verify-proof',
  summary: 'check an inclusion or consistency proof offline, with only the public key',
  usage: USAGE,
  async run(args, io) {
    rejectUnknownOptions(args, ['public-key-file', 'trusted-head', 'json']);
    if (args.positional.length !== 1) throw new UsageError('give one proof FILE');
    const publicKeys = readPublicKeyFiles(requiredOption(args, 'public-key-file', { io: io.env, name: 'CHAPERONE_CHECKPOINT_PUBLIC_KEY_FILE' }));
    const trustedHeads: SignedTreeHead[] = [];
    for (const file of option(args, 'trusted-head')?.split(',') ?? []) {
      const heads = headsOf(readJson(file));
      if (heads.length === 0) throw new UsageError(`${file} holds no signed tree head`);
      trustedHeads.push(...heads);
    }
    const result = verifyProofDocument(readJson(args.positional[0] as string), { publicKeys, trustedHeads });
    if (args.options.get('json')) io.out(`${JSON.stringify(result, null, 2)}\n`);
    else if (result.ok) io.out(`OK: ${result.kind}\n${result.checked.map((l) => `  ${l}\n`).join('')}`);
    else io.out(`FAILED: ${result.problems.length} problem(s) in ${result.kind || 'the document'}\n${result.problems.map((l) => `  ${l}\n`).join('')}`);
    return result.ok ? 0 : 1;
  },
};
