import { createHash } from 'node:crypto';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { AgentRegistrationSchema, type AgentRegistration } from '@chaperone/contracts';

export const AgentsFileSchema = z
  .object({
    apiVersion: z.literal('chaperone.dev/v1alpha1'),
    kind: z.literal('AgentRegistry'),
    agents: z.array(AgentRegistrationSchema),
  })
  .strict();

export type AgentsFileResult =
  | { ok: true; agents: AgentRegistration[]; version: string }
  | { ok: false; errors: string[] };

/**
 * Parses and validates the agents file (see deploy/agents.example.yaml). Errors read
 * `line:column: path: message`, all at once; they never echo values.
 */
export function loadAgentsFile(bytes: Uint8Array): AgentsFileResult {
  const version = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, errors: ['1:1: file is not valid UTF-8'] };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const p = lines.linePos(offset);
    return `${p.line}:${p.col}`;
  };
  if (doc.errors.length > 0) return { ok: false, errors: doc.errors.map((e) => `${at(e.pos[0])}: ${e.message}`) };
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (e) {
    return { ok: false, errors: [`1:1: ${(e as Error).message}`] };
  }
  const parsed = AgentsFileSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => {
        const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
        // The deepest node that exists, for a position.
        let node: unknown;
        for (let n = i.path.length; n >= 0 && !isNode(node); n--) node = doc.getIn(i.path.slice(0, n) as PropertyKey[], true);
        const where = isNode(node) && node.range ? at(node.range[0]) : '1:1';
        return `${where}: ${path || '(document)'}: ${i.message}`;
      }),
    };
  }
  const seen = new Set<string>();
  const errors: string[] = [];
  parsed.data.agents.forEach((a, i) => {
    if (seen.has(a.agent)) errors.push(`agents[${i}].agent: "${a.agent}" is registered twice`);
    seen.add(a.agent);
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, agents: parsed.data.agents, version };
}

/** The agents file is invalid (at start: the service must not start on it). */
export class AgentsFileError extends Error {
  constructor(
    readonly file: string,
    readonly errors: string[],
  ) {
    super(`invalid agents file ${file}:\n${errors.map((e) => `${file}:${e}`).join('\n')}`);
    this.name = 'AgentsFileError';
  }
}
