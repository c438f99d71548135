import { writeFileSync } from 'node:fs';
import type { RecordedEventLike } from '@chaperone/evidence-chain';
import { CHAIN_CHECKPOINTED, EvidenceStreams } from '@chaperone/contracts';
import { checkHead, consistencyProofBetween, consistencyProofDocument, inclusionProofAgainst, inclusionProofDocument, isSignedTreeHead, readEvidenceLog, type ProofDocument, type SignedTreeHead } from '@chaperone/merkle-log';
import { option, rejectUnknownOptions } from '../args';
import { UsageError, type Command } from '../command';
import { EVIDENCE_OPTIONS, EVIDENCE_OPTIONS_USAGE, openEvidenceReader } from './evidence-reader';
import { readPrivateKeyFile } from './key-files';

const USAGE = `usage: chaperone proof REQUEST_ID [--private-key-file <pem>] [--out FILE] [store options]
       chaperone proof --consistency OLD_SIZE NEW_SIZE [--private-key-file <pem>] [--out FILE] [store options]

Builds the Merkle tree (RFC 9162, SHA-256) of the whole evidence store, one leaf per event in the
store's global order, and proves against the signed tree heads the audit service stored with its
checkpoints (each the head of the store through that checkpoint). With REQUEST_ID: prints an
inclusion proof of each of the request's events (the events themselves included, so the leaves are
recomputed, not trusted) against the latest stored head. With --consistency: proves the tree of the
stored head of OLD_SIZE events is a prefix of the stored head of NEW_SIZE ("latest": the newest
stored head): the log was only appended to. A stored head the store no longer reproduces is an
error: the log was rewritten. Output is JSON; check it offline with chaperone verify-proof.
Building the tree reads every event once (O(n) in the store's size).

  --private-key-file the Ed25519 key that signs the chain checkpoints, PEM (env
                     CHAPERONE_CHECKPOINT_KEY_FILE): only used when no stored head covers what is
                     asked (events newer than the last checkpoint, a size no checkpoint has): a head
                     of the store as read now is signed with it
  --out FILE         write the proof to FILE instead of standard output
${EVIDENCE_OPTIONS_USAGE}`;

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
    rejectUnknownOptions(args, ['private-key-file', 'out', 'consistency', ...EVIDENCE_OPTIONS]);
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
    const keyFile = option(args, 'private-key-file', { io: io.env, name: 'CHAPERONE_CHECKPOINT_KEY_FILE' });
    const signFresh = (why: string) => {
      if (!keyFile) throw new Error(`${why}; wait for the next checkpoint, or pass --private-key-file (or CHAPERONE_CHECKPOINT_KEY_FILE) to sign a head of the store as read now`);
      io.err(`${why}: signing a head of the store as read now\n`);
      return { privateKey: readPrivateKeyFile(keyFile) };
    };

    const opened = await openEvidenceReader(args, io, 'proof');
    const mine: Array<{ leafIndex: number; event: RecordedEventLike }> = [];
    /** The signed tree heads stored with the checkpoints, in store order (sizes only grow). */
    const stored: SignedTreeHead[] = [];
    const t0 = performance.now();
    let log;
    try {
      log = await readEvidenceLog(opened.store, {
        onLeaf: (event, leafIndex) => {
          if (event.stream === EvidenceStreams.checkpoints && event.type === CHAIN_CHECKPOINTED) {
            const head = (event.data as { treeHead?: unknown } | null)?.treeHead;
            if (isSignedTreeHead(head)) stored.push(head);
          }
          if (requestId !== undefined && (event.data as { requestId?: unknown } | null)?.requestId === requestId) mine.push({ leafIndex, event });
        },
      });
    } finally {
      await opened.close();
    }
    const seconds = (performance.now() - t0) / 1000;
    const { tree } = log;
    let doc: ProofDocument;
    // Whatever is proven, the newest stored head must still hold: otherwise the log was rewritten under it.
    const newest = stored[stored.length - 1];
    if (newest) checkHead(tree, newest);
    if (requestId !== undefined) {
      if (mine.length === 0) throw new Error(`no events of request ${JSON.stringify(requestId.slice(0, 80))} in the evidence store (${tree.size} events)`);
      const latest = stored[stored.length - 1];
      const needed = Math.max(...mine.map((m) => m.leafIndex)) + 1;
      doc =
        latest && latest.size >= needed
          ? inclusionProofAgainst(tree, mine, latest, requestId)
          : inclusionProofDocument(tree, mine, signFresh(`the request's events are not yet under a stored tree head (${latest ? `the latest covers ${latest.size} events` : 'none stored'}, they reach event ${needed})`), requestId);
    } else {
      const latest = stored[stored.length - 1];
      const n = newSize === 'latest' ? (latest?.size ?? tree.size) : newSize;
      if (n > tree.size) throw new Error(`NEW_SIZE ${n} is beyond the ${tree.size} events in the store`);
      if (oldSize > n) throw new Error(`OLD_SIZE ${oldSize} is larger than NEW_SIZE ${n}`);
      const oldHead = stored.find((h) => h.size === oldSize);
      const newHead = stored.find((h) => h.size === n);
      const sizes = stored.length > 0 ? `stored heads: ${stored.length}, of ${stored[0]?.size} to ${latest?.size} events` : 'no head stored';
      doc =
        oldHead && newHead
          ? consistencyProofBetween(tree, oldHead, newHead)
          : consistencyProofDocument(tree, oldSize, n, signFresh(`no stored tree head of ${oldHead ? n : oldSize} events (${sizes})`));
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
