/**
 * @chaperone/masking — the pure masking engine (no I/O).
 *
 * - maskObject: Kubernetes JSON (object, List, typed List without item kinds, Table, WatchEvent).
 *   Structural rules first (Secret data/stringData, ConfigMap secret-named keys, any `{name, value}`
 *   pair with a secret name, secret `--flags` in any `command`/`args` array, the last-applied
 *   annotation re-masked as JSON, credential-named fields of any object such as a custom resource's
 *   `spec.database.password`, and the Table cells of credential columns), then the content
 *   detectors on every remaining string value.
 *   Keys, JSON types and Secret base64 validity are preserved; object keys are never scanned.
 * - maskCommandQuery: an exec request's query with its `command` values masked as a command array is.
 * - maskJsonDocument: a whole JSON document's bytes, in one pass without an object tree, with the
 *   same output bytes and report as parse + maskObject + serialise (maskJsonDocumentByTree).
 * - maskText / LineMasker: line-based text; PEM private keys carry state across lines.
 * - WatchStreamMasker: newline-delimited watch events.
 *
 * Fails closed: unknown profile names, invalid profiles, non-JSON/cyclic/too-deep values, malformed
 * or oversized watch events throw MaskingFailed (or, opt-in, become an ERROR watch event); an
 * unparseable last-applied annotation becomes MASK; an unterminated PEM block masks every following
 * line; a text line longer than the LineMasker bound is replaced whole by MASK. Reports and error
 * messages never contain input values.
 */
export { LAST_APPLIED_ANNOTATION, MASK, MASKED_BASE64, MaskingFailed } from './constants';
export {
  DEFAULT_PROFILE,
  DETECTOR_NAMES,
  PII_DETECTORS,
  PII_PROFILE,
  PROFILE_NAMES,
  SECRET_DETECTORS,
  STRICT_PROFILE,
  STRUCTURAL_ONLY_PROFILE,
  STRUCTURAL_RULES,
  defaultSecretNamePatterns,
  profileFor,
} from './profile';
export type { DetectorName, MaskRule, MaskingProfile, ProfileName, StructuralRule } from './profile';
export { DEFAULT_CREDENTIAL_KEY_ALLOW_LIST, isCredentialName } from './credential-keys';
export { MAX_REPORT_PATHS, emptyReport, mergeReports } from './report';
export type { MaskReport } from './report';
export { MAX_DEPTH, maskObject } from './mask-object';
export { maskCommandQuery } from './mask-command-query';
export { maskJsonDocument, maskJsonDocumentByTree } from './mask-json-document';
export type { MaskedJson } from './mask-json-document';
export { DEFAULT_MAX_LINE_LENGTH, LineMasker, maskText } from './mask-text';
export type { LineMaskerOptions } from './mask-text';
export { DEFAULT_MAX_EVENT_LENGTH, MALFORMED_EVENT_PLACEHOLDER, WatchStreamMasker } from './watch-stream';
export type { WatchStreamMaskerOptions } from './watch-stream';
