import { NeedsTree, type JsonLexer } from './json-lexer';
import { OPEN_BRACE, QUOTE } from './json-punctuation';

/**
 * What the structural rules need to know about the object they are in (its `kind`, its `name`,
 * whether it looks like a Secret, its Table columns), gathered member by member. When a rule needs
 * a fact that was not seen yet, the rest of the object is looked ahead at (skipped over, nothing
 * decoded but those few members): `kind` may come after the `data` it governs.
 */
const KIND = 1;
const NAME = 2;
const TYPE = 4;
const METADATA = 8;
const DATA = 16;
const STRING_DATA = 32;
const COLUMNS = 64;

function bitOf(key: string): number {
  switch (key) {
    case 'kind':
      return KIND;
    case 'name':
      return NAME;
    case 'type':
      return TYPE;
    case 'metadata':
      return METADATA;
    case 'data':
      return DATA;
    case 'stringData':
      return STRING_DATA;
    case 'columnDefinitions':
      return COLUMNS;
    default:
      return 0;
  }
}

export class ObjectFacts {
  private seen = 0;
  /** Every member has been seen (a look-ahead ran): an unseen fact is an absent member. */
  private complete = false;
  /** `kind` when it is a string. */
  private kind: string | undefined;
  /** `name` when it is a string. */
  private name: string | undefined;
  private typeIsString = false;
  private metadataIsObject = false;
  private dataIsObject = false;
  private stringDataIsObject = false;
  /** Byte range of `columnDefinitions`' value; the end is set once the value has been passed. */
  columnsStart = -1;
  columnsEnd = -1;

  private lx: JsonLexer | undefined;

  private get lexer(): JsonLexer {
    if (this.lx === undefined) throw new NeedsTree('facts without a document');
    return this.lx;
  }

  /** Drop the document (facts live on between documents; the bytes must not). */
  release(): void {
    this.lx = undefined;
  }

  /** Start afresh for an object of the document `lx` reads. */
  reset(lx: JsonLexer): void {
    this.lx = lx;
    this.seen = 0;
    this.complete = false;
    this.kind = undefined;
    this.name = undefined;
    this.typeIsString = false;
    this.metadataIsObject = false;
    this.dataIsObject = false;
    this.stringDataIsObject = false;
    this.columnsStart = -1;
    this.columnsEnd = -1;
  }

  /** Note the member `key` whose value starts at `v` (before the value is masked). */
  record(key: string, v: number): void {
    if (this.complete) return;
    this.note(key, v);
  }

  /** `kind` when it is a string, else the kind implied by the list (as the tree masker reads it). */
  kindOr(implied: string | undefined, v: number): string | undefined {
    this.need(KIND, v);
    return this.kind ?? implied;
  }

  /** `kind` itself when it is a string. */
  ownKind(v: number): string | undefined {
    this.need(KIND, v);
    return this.kind;
  }

  ownName(v: number): string | undefined {
    this.need(NAME, v);
    return this.name;
  }

  /** A Secret that lost its `kind`: metadata, a string `type`, and `data` or `stringData` objects. */
  looksLikeSecret(v: number): boolean {
    this.need(METADATA | TYPE | DATA | STRING_DATA, v);
    return this.metadataIsObject && this.typeIsString && (this.dataIsObject || this.stringDataIsObject);
  }

  /** `columnDefinitions` as JSON.parse gives it (undefined when absent). */
  columns(v: number): unknown {
    this.need(COLUMNS, v);
    if (this.columnsStart < 0) return undefined;
    if (this.columnsEnd < 0) throw new NeedsTree('columns not passed yet');
    try {
      return JSON.parse(this.lexer.b.toString('utf8', this.columnsStart, this.columnsEnd));
    } catch {
      throw new NeedsTree('columns are not JSON');
    }
  }

  private note(key: string, v: number): void {
    const bit = bitOf(key);
    if (bit === 0) return;
    if ((this.seen & bit) !== 0) throw new NeedsTree('duplicate key');
    this.seen |= bit;
    const c = this.lexer.b[v];
    switch (bit) {
      case KIND:
        this.kind = c === QUOTE ? this.stringAt(v) : undefined;
        break;
      case NAME:
        this.name = c === QUOTE ? this.stringAt(v) : undefined;
        break;
      case TYPE:
        this.typeIsString = c === QUOTE;
        break;
      case METADATA:
        this.metadataIsObject = c === OPEN_BRACE;
        break;
      case DATA:
        this.dataIsObject = c === OPEN_BRACE;
        break;
      case STRING_DATA:
        this.stringDataIsObject = c === OPEN_BRACE;
        break;
      case COLUMNS:
        this.columnsStart = v;
        break;
    }
  }

  private stringAt(v: number): string {
    const lx = this.lexer;
    const end = lx.stringAt(v);
    return lx.decode(v, end, lx.escaped, lx.ascii);
  }

  /** Look ahead from the current member's value `v` to the end of the object when a fact is missing. */
  private need(bits: number, v: number): void {
    if (this.complete || (this.seen & bits) === bits) return;
    const lx = this.lexer;
    const b = lx.b;
    let i = lx.skipValueAt(v);
    if (this.columnsStart === v) this.columnsEnd = i;
    for (;;) {
      i = lx.wsFrom(i);
      const c = b[i];
      if (c === 0x7d) break;
      if (c !== 0x2c) throw new NeedsTree('unexpected byte');
      i = lx.wsFrom(i + 1);
      const keyEnd = lx.stringAt(i);
      const key = lx.decode(i, keyEnd, lx.escaped, lx.ascii);
      i = lx.wsFrom(keyEnd + 1);
      if (b[i] !== 0x3a) throw new NeedsTree('unexpected byte');
      i = lx.wsFrom(i + 1);
      this.note(key, i);
      const end = lx.skipValueAt(i);
      if (this.columnsStart === i) this.columnsEnd = end;
      i = end;
    }
    this.complete = true;
  }
}
