/**
 * A table for long-lived bookkeeping that gains and loses an entry per request or message (pending
 * replies, open requests, listeners of exchanges in flight): a prototype-less object, not a Map or
 * a Set. A Map's or a Set's hash table that is rehashed or cleared stays linked to the table that
 * replaces it and keeps its entries; once one such table has reached the old generation, V8's
 * young collections keep every later entry (and whatever it references, a request's whole context
 * through a callback) alive until a full collection: copied, then promoted, and the young
 * collections take several times as long. An object's dictionary is replaced without such a link.
 * Keys are only ever own properties (no prototype), so ids from the outside are safe as keys.
 */
export function perRequestTable<V, K extends string | number = string>(): Record<K, V> {
  return Object.create(null) as Record<K, V>;
}
