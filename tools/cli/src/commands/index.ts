import type { Command } from '../command';
import { approvalsCommand } from './approvals';
import { evidenceCommand } from './evidence';
import { mcpCommand } from './mcp';
import { playCommand } from './play/play';
import { projections } from './projections';
import { recordingsCommand } from './recordings';
import { proofCommand } from './proof';
import { replay } from './replay';
import { report } from './report';
import { sessions } from './sessions';
import { verifyCommand } from './verify';
import { verifyProofCommand } from './verify-proof';

/**
 * Every `chaperone <command>`. Each lives in its own file in this folder and is listed here once;
 * `help` is built in (see ../run.ts).
 */
export const commands: readonly Command[] = [
  approvalsCommand,
  verifyCommand,
  sessions,
  replay,
  playCommand(),
  recordingsCommand,
  report,
  projections,
  mcpCommand,
  proofCommand,
  verifyProofCommand,
  evidenceCommand,
];
