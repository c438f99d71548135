export { parseRequestInfo } from './parse-request-info';
export type { ParseResult } from './parse-request-info';
export { isUpgradeRequest } from './upgrade';
export { SPDY_DICTIONARY } from './spdy-dictionary';
