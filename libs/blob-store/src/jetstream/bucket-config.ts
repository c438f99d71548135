import { DiscardPolicy, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig, type StreamInfo } from 'nats';
import { BlobStoreMisconfigured, InvalidArgument } from '../port';
import { jsErrCode, JsErrCodes, mapNatsError } from './errors';

export interface EvidenceBucketConfig {
  /** Object-store bucket name ([A-Za-z0-9_-]+); the backing stream is `OBJ_<bucket>`. */
  bucket: string;
  /** Default 1 (single server); 3 on a cluster. */
  replicas?: number;
}

const BUCKET = /^[-\w]+$/;

export function validateBucketName(bucket: unknown): asserts bucket is string {
  if (typeof bucket !== 'string' || !BUCKET.test(bucket)) throw new InvalidArgument(`invalid object-store bucket name ${String(bucket)}`);
}

/** The JetStream stream behind an object-store bucket (the nats.js / nats CLI convention). */
export function bucketStreamName(bucket: string): string {
  return `OBJ_${bucket}`;
}

export function chunkSubject(bucket: string, nuid: string): string {
  return `$O.${bucket}.C.${nuid}`;
}

/** nats.js/Go convention: the meta subject token is the padded base64url of the object name. */
export function metaSubject(bucket: string, name: string): string {
  const b64 = Buffer.from(name, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
  return `$O.${bucket}.M.${b64}`;
}

/**
 * The stream configuration of an evidence bucket: what nats.js `js.views.os()` creates (so the
 * bucket stays a regular NATS object store that `nats object get` and nats.js can read), plus
 * deny_delete and no rollups, so that no single object or chunk message can be removed or
 * replaced. Purges stay allowed: a purge filtered on one object's subjects is how
 * `BlobStore.delete` removes a blob (retention), and NATS permissions keep the purge API to the
 * pruning identity (see port.ts). Consequence on nats-server 2.9: nats.js `os.put()` and
 * `os.delete()` are refused (both send a `Nats-Rollup` header, refused with err 10110/10111); the
 * adapter writes the object-store wire format itself without rollups.
 */
export function evidenceBucketStreamConfig(config: EvidenceBucketConfig): Partial<StreamConfig> {
  return {
    name: bucketStreamName(config.bucket),
    subjects: [`$O.${config.bucket}.C.>`, `$O.${config.bucket}.M.>`],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    num_replicas: config.replicas ?? 1,
    discard: DiscardPolicy.New,
    allow_direct: true,
    deny_delete: true,
    deny_purge: false,
    allow_rollup_hdrs: false,
    max_msgs: -1,
    max_bytes: -1,
    max_age: 0,
    max_msgs_per_subject: -1,
  };
}

/**
 * Why an existing bucket stream cannot hold evidence; [] when it can. deny_purge is not a problem:
 * an operator may lock a bucket for good (`nats stream edit OBJ_<bucket> --deny-purge`, which
 * cannot be undone); its blobs are then never deleted and `delete` is refused.
 */
export function evidenceBucketProblems(info: StreamInfo, config: EvidenceBucketConfig): string[] {
  const c = info.config;
  const problems: string[] = [];
  if (!c.deny_delete) problems.push('deny_delete is false (chunks could be deleted)');
  if (c.allow_rollup_hdrs) problems.push('allow_rollup_hdrs is true (a rollup could replace the metadata that defines a blob)');
  if (c.retention !== RetentionPolicy.Limits) problems.push(`retention is ${c.retention}, not limits`);
  if (c.max_msgs > 0) problems.push(`max_msgs is ${c.max_msgs}`);
  if (c.max_bytes > 0) problems.push(`max_bytes is ${c.max_bytes}`);
  if (c.max_age > 0) problems.push(`max_age is ${c.max_age}`);
  if (c.max_msgs_per_subject > 0) problems.push(`max_msgs_per_subject is ${c.max_msgs_per_subject}`);
  if (c.storage !== StorageType.File) problems.push(`storage is ${c.storage}, not file`);
  if (!c.allow_direct) problems.push('allow_direct is false (the adapter reads with direct get)');
  if (c.sealed) problems.push('the bucket is sealed (read-only)');
  for (const s of [`$O.${config.bucket}.C.>`, `$O.${config.bucket}.M.>`]) {
    if (!(c.subjects ?? []).includes(s)) problems.push(`subjects ${JSON.stringify(c.subjects)} do not include ${s}`);
  }
  return problems;
}

/**
 * Create the evidence bucket (in one step, already guarded), or validate an existing one. Refuses
 * (BlobStoreMisconfigured) a bucket that would let messages be deleted, rolled up or aged out, e.g.
 * one created by plain `js.views.os()`: deny_delete can be turned on later with
 * `jsm.streams.update` (and then never off again), but that is an operator's decision.
 */
export async function ensureEvidenceBucket(jsm: JetStreamManager, config: EvidenceBucketConfig): Promise<StreamInfo> {
  validateBucketName(config.bucket);
  const name = bucketStreamName(config.bucket);
  let info: StreamInfo | undefined;
  try {
    info = await jsm.streams.info(name);
  } catch (err) {
    if (!isStreamNotFound(err)) mapNatsError(err, `stream info ${name}`);
  }
  if (!info) {
    try {
      return await jsm.streams.add(evidenceBucketStreamConfig(config));
    } catch (err) {
      // Lost a creation race with another instance: fall through to validation.
      try {
        info = await jsm.streams.info(name);
      } catch {
        mapNatsError(err, `create stream ${name}`);
      }
    }
  }
  const problems = evidenceBucketProblems(info, config);
  if (problems.length > 0) throw new BlobStoreMisconfigured(`object-store bucket ${config.bucket} cannot hold evidence: ${problems.join('; ')}`);
  return info;
}

function isStreamNotFound(err: unknown): boolean {
  return jsErrCode(err) === JsErrCodes.streamNotFound || (err as Error | undefined)?.message === 'stream not found';
}
