/** A stored event's data read leniently: it may come from an older writer, a member may be missing. */
export type Fields = Record<string, unknown>;

export const fieldsOf = (v: unknown): Fields => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Fields) : {});
export const textOf = (v: unknown): string => (typeof v === 'string' ? v : '');
