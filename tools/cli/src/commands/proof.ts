import { writeFileSync } from 'node:fs';
import type { RecordedEventLike } from '@chaperone/evidence-chain';
import { consistencyProofDocument, inclusionProofDocument, readEvidenceLog, type ProofDocument } from '@chaperone/merkle-log';
import { option, rejectUnknownOptions, requiredOption } from '../args';
import { UsageError, type Command } from '../command';
import { openEvidenceStoreReadOnly, readPrivateKeyFile, STORE_OPTIONS, STORE_OPTIONS_USAGE } from './evidence-store-access';

const USAGE = `usage: chaperone proof REQUEST_ID [--private-key-file <pem>] [--out FILE] [store options]
       chaperone proof --consistency OLD_SIZE NEW_SIZE [--private-key-file <pem>] [--out FILE] [store options]

Builds the Merkle tree (RFC 9162, SHA-256) of the whole evidence store, one leaf per event in the
store's global order, and signs its head. With REQUEST_ID: prints an inclusion proof of each of the
request's events (the events themselves included, so the leaves are recomputed, not trusted). With
--consistency: proves the tree of the first OLD_SIZE events is a prefix of the tree of the first
NEW_SIZE (NEW_SIZE may be "latest"): the log was only appended to. Output is JSON; check it offline
with chaperone verify-proof. Building the tree reads every event once (O(n) in the store's size).

  --private-key-file the Ed25519 key that signs the chain checkpoints, PEM (env
                     CHAPERONE_CHECKPOINT_KEY_FILE): tree heads are signed with it
  --out FILE         write the proof to FILE instead of standard output
${STORE_OPTIONS_USAGE}`;

function size(value: string | undefined, name: string): number | 'latest' {
  if (value === 'latest') return 'latest';
  if (value === undefined || !/^\d{1,15}$/.test(value)) throw new UsageError(`${name} must be a number of events${name === 'NEW_SIZE' ? ' or latest' : ''}`);
  return Number(value);
}

/** `chaperone proof`: inclusion proofs of a request's events, or a consistency proof between two tree sizes. */
export const proofCommand: Command = {
  name: 'proof',
  summary: "Merkle inclusion proofs of a request's events, or a consistency proof that the log only grew",
  usage: USAGE,
  async run(args, io) {
    rejectUnknownOptions(args, ['private-key-file', 'out', 'consistency', ...STORE_OPTIONS]);
    const consistency = args.options.has('consistency');
    let requestId: string | undefined;
    let oldSize = 0;
    let newSize: number | 'latest' = 'latest';
    if (consistency) {
      // `--consistency OLD NEW`: the parser gives OLD as the option's value and NEW as the positional.
      const oldValue = option(args, 'consistency');
      if (args.positional.length !== 1) throw new UsageError('--consistency takes OLD_SIZE NEW_SIZE');
      const o = size(oldValue, 'OLD_SIZE');
      if (o === 'latest') throw new UsageError('OLD_SIZE must be a number of events');
      oldSize = o;
      newSize = size(args.positional[0], 'NEW_SIZE');
      if (newSize !== 'latest' && oldSize > newSize) throw new UsageError(`OLD_SIZE ${oldSize} is larger than NEW_SIZE ${newSize}`);
    } else {
      if (args.positional.length !== 1) throw new UsageError('give one REQUEST_ID (or --consistency OLD_SIZE NEW_SIZE)');
      requestId = args.positional[0] as string;
    }
    const privateKey = readPrivateKeyFile(requiredOption(args, 'private-key-file', { io: io.env, name: 'CHAPERONE_CHECKPOINT_KEY_FILE' }));

    const opened = await openEvidenceStoreReadOnly(args, io.env, 'chaperone-proof');
    const mine: Array<{ leafIndex: number; event: RecordedEventLike }> = [];
    const t0 = performance.now();
    let log;
    try {
      log = await readEvidenceLog(opened.store, {
        onLeaf: (event, leafIndex) => {
          if (requestId !== undefined && (event.data as { requestId?: unknown } | null)?.requestId === requestId) mine.push({ leafIndex, event });
        },
      });
    } finally {
      await opened.close();
    }
    const seconds = (performance.now() - t0) / 1000;
    const { tree } = log;
    let doc: ProofDocument;
    if (requestId !== undefined) {
      if (mine.length === 0) throw new Error(`no events of request ${JSON.stringify(requestId.slice(0, 80))} in the evidence store (${tree.size} events)`);
      doc = inclusionProofDocument(tree, mine, { privateKey }, requestId);
    } else {
      const n = newSize === 'latest' ? tree.size : newSize;
      if (n > tree.size) throw new Error(`NEW_SIZE ${n} is beyond the ${tree.size} events in the store`);
      if (oldSize > n) throw new Error(`OLD_SIZE ${oldSize} is larger than NEW_SIZE ${n}`);
      doc = consistencyProofDocument(tree, oldSize, n, { privateKey });
    }
    io.err(`tree of ${tree.size} events built in ${seconds.toFixed(2)} s (reads the whole store once)\n`);
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    const out = option(args, 'out');
    if (out) {
      writeFileSync(out, text);
      io.out(`${out}\n`);
    } else {
      io.out(text);
    }
    return 0;
  },
};
