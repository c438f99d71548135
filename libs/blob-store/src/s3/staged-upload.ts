import { randomUUID } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { InvalidArgument } from '../port';
import { mapS3Error } from './errors';
import { stagingKey } from './object-keys';
import { MAX_STAGED_BYTES } from './s3-options';

/**
 * A streamed body too large to buffer, uploaded part by part to `staging/<uuid>` while it streams
 * (its content address is known only at the end). Parts go up one at a time: memory stays at one
 * part, and S3 throughput per connection is not the bottleneck of a recording.
 */
export class StagedUpload {
  readonly key = stagingKey(randomUUID());
  bytes = 0;
  private uploadId: string | undefined;
  private completed = false;
  private readonly parts: CompletedPart[] = [];
  private buf: Uint8Array;
  private fill = 0;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly partBytes: number,
    private readonly contentType: string | undefined,
  ) {
    this.buf = new Uint8Array(partBytes);
  }

  async write(data: Uint8Array): Promise<void> {
    if (this.bytes + this.fill + data.length > MAX_STAGED_BYTES) {
      throw new InvalidArgument(`a streamed blob keeps at most ${MAX_STAGED_BYTES} bytes on S3 (one CopyObject): lower capBytes`);
    }
    let off = 0;
    while (off < data.length) {
      const n = Math.min(this.partBytes - this.fill, data.length - off);
      this.buf.set(data.subarray(off, off + n), this.fill);
      this.fill += n;
      off += n;
      if (this.fill === this.partBytes) await this.flush();
    }
  }

  /** Upload the last part and assemble the staging object. */
  async complete(): Promise<void> {
    await this.flush();
    const uploadId = await this.begin();
    try {
      await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: uploadId, MultipartUpload: { Parts: this.parts } }),
      );
    } catch (err) {
      mapS3Error(err, 'put (complete the staged upload)', this.bucket);
    }
    this.completed = true;
  }

  /**
   * Best effort, never throws: abort the multipart upload or remove the assembled staging object.
   * What a failure here leaves behind is the bucket lifecycle rule's to expire.
   */
  async discard(): Promise<void> {
    try {
      if (this.completed) await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key }));
      else if (this.uploadId !== undefined) await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: this.uploadId }));
    } catch {
      // see above: the lifecycle rule cleans up
    }
  }

  private async begin(): Promise<string> {
    if (this.uploadId !== undefined) return this.uploadId;
    let out;
    try {
      out = await this.client.send(
        new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, ...(this.contentType ? { ContentType: this.contentType } : {}) }),
      );
    } catch (err) {
      mapS3Error(err, 'put (start a staged upload)', this.bucket);
    }
    if (!out.UploadId) throw new Error('S3 CreateMultipartUpload returned no UploadId');
    this.uploadId = out.UploadId;
    return out.UploadId;
  }

  private async flush(): Promise<void> {
    if (this.fill === 0) return;
    const uploadId = await this.begin();
    const partNumber = this.parts.length + 1;
    const body = this.fill === this.partBytes ? this.buf : this.buf.subarray(0, this.fill);
    try {
      const out = await this.client.send(
        new UploadPartCommand({ Bucket: this.bucket, Key: this.key, UploadId: uploadId, PartNumber: partNumber, Body: body, ContentLength: body.length }),
      );
      this.parts.push({ PartNumber: partNumber, ETag: out.ETag });
    } catch (err) {
      mapS3Error(err, `put (staged part ${partNumber})`, this.bucket);
    }
    this.bytes += this.fill;
    this.fill = 0;
  }
}
