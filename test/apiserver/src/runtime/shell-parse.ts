/**
 * The demo shell's grammar: words with '…' and "…" quoting, backslash escapes, $VAR / ${VAR} / $?
 * expansion, pipelines (|) and lists (; && ||). Enough for `sh -c 'cat /etc/hostname; exit 3'`
 * and an interactive session; no redirections, globbing or control flow.
 */
export type WordPart = { lit: string } | { variable: string };
export type Word = WordPart[];
export type Pipeline = Word[][];
export interface ListItem {
  pipeline: Pipeline;
  /** How this pipeline's status decides whether the next one runs. */
  then: ';' | '&&' | '||';
}

export class ShellSyntaxError extends Error {}

type Token = { word: Word } | { op: ';' | '&&' | '||' | '|' };

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let word: Word | undefined;
  const lit = (s: string) => {
    word ??= [];
    const last = word.at(-1);
    if (last && 'lit' in last) last.lit += s;
    else word.push({ lit: s });
  };
  const endWord = () => {
    if (word) tokens.push({ word });
    word = undefined;
  };
  /** Reads a $ expansion at src[i] (the '$'); returns the index after it. */
  const dollar = (i: number): number => {
    const next = src[i + 1];
    if (next === '?') {
      (word ??= []).push({ variable: '?' });
      return i + 2;
    }
    if (next === '{') {
      const close = src.indexOf('}', i + 2);
      if (close < 0) throw new ShellSyntaxError('syntax error: bad substitution');
      (word ??= []).push({ variable: src.slice(i + 2, close) });
      return close + 1;
    }
    NAME.lastIndex = i + 1;
    const m = NAME.exec(src);
    if (!m) {
      lit('$');
      return i + 1;
    }
    (word ??= []).push({ variable: m[0] });
    return i + 1 + m[0].length;
  };

  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? '';
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      endWord();
      i += 1;
    } else if (c === '#' && !word) {
      break;
    } else if (c === ';' || c === '|' || c === '&') {
      endWord();
      const two = src.slice(i, i + 2);
      if (two === '&&' || two === '||') {
        tokens.push({ op: two });
        i += 2;
      } else if (c === '&') {
        throw new ShellSyntaxError('syntax error: background jobs (&) are not supported by this demo shell');
      } else {
        tokens.push({ op: c === '|' ? '|' : ';' });
        i += 1;
      }
    } else if (c === '<' || c === '>') {
      throw new ShellSyntaxError('syntax error: redirections are not supported by this demo shell');
    } else if (c === "'") {
      const close = src.indexOf("'", i + 1);
      if (close < 0) throw new ShellSyntaxError('syntax error: unterminated quoted string');
      lit(src.slice(i + 1, close));
      i = close + 1;
    } else if (c === '"') {
      word ??= [];
      i += 1;
      for (;;) {
        if (i >= src.length) throw new ShellSyntaxError('syntax error: unterminated quoted string');
        const d = src[i] ?? '';
        if (d === '"') {
          i += 1;
          break;
        }
        if (d === '\\' && '$`"\\\n'.includes(src[i + 1] ?? 'x')) {
          lit(src[i + 1] ?? '');
          i += 2;
        } else if (d === '$') i = dollar(i);
        else {
          lit(d);
          i += 1;
        }
      }
    } else if (c === '\\') {
      if (i + 1 < src.length) lit(src[i + 1] ?? '');
      i += 2;
    } else if (c === '$') {
      i = dollar(i);
    } else {
      lit(c);
      i += 1;
    }
  }
  endWord();
  return tokens;
}

export function parseScript(src: string): ListItem[] {
  const items: ListItem[] = [];
  let pipeline: Pipeline = [];
  let command: Word[] = [];
  const unexpected = (op: string) => new ShellSyntaxError(`syntax error: unexpected "${op}"`);
  for (const t of tokenize(src)) {
    if ('word' in t) {
      command.push(t.word);
      continue;
    }
    if (command.length === 0) throw unexpected(t.op);
    pipeline.push(command);
    command = [];
    if (t.op === '|') continue;
    items.push({ pipeline, then: t.op });
    pipeline = [];
  }
  if (command.length > 0) pipeline.push(command);
  else if (pipeline.length > 0) throw new ShellSyntaxError('syntax error: unexpected end of file');
  if (pipeline.length > 0) items.push({ pipeline, then: ';' });
  else {
    const last = items.at(-1);
    if (last && last.then !== ';') throw new ShellSyntaxError('syntax error: unexpected end of file');
  }
  return items;
}

export function expandWord(word: Word, vars: (name: string) => string): string {
  return word.map((p) => ('lit' in p ? p.lit : vars(p.variable))).join('');
}
