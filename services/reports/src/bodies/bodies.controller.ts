import { Controller, Get, Inject, Logger, Param, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { BlobStore } from '@chaperone/blob-store';
import { ComplianceAccess, statusError } from '../access/compliance-access';
import { Projector } from '../projection/projector';
import { BLOB_STORE } from '../tokens';
import { BODY_KINDS, bodyLink, type BodyKind } from './body-links';
import { bodyContentType } from './content-type';

/**
 * A request's recorded bodies, for compliance readers: the request as the agent sent it and the
 * response as the agent received it (masked), read from the blob store, which checks the bytes
 * against their digest on every read. 404 with the reason when the body is not there to serve.
 */
@Controller('sessions')
@UseGuards(ComplianceAccess)
export class BodiesController {
  private readonly logger = new Logger('Bodies');

  constructor(
    private readonly projector: Projector,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  @Get(':id/requests/:rid/body/:which')
  async body(@Param('id') sessionId: string, @Param('rid') requestId: string, @Param('which') which: string, @Res() res: Response): Promise<void> {
    if (!(BODY_KINDS as readonly string[]).includes(which)) throw statusError('BadRequest', 'the body is request or response');
    const model = this.projector.readModel;
    const view = model.requests.get(requestId);
    if (!view || view.sessionId !== sessionId) {
      throw statusError('NotFound', `no request "${requestId.slice(0, 128)}" in session "${sessionId.slice(0, 128)}" (up to position ${model.position})`);
    }
    const link = bodyLink(view, which as BodyKind);
    if (!link || link.state === 'digest-only') {
      throw statusError('NotFound', `the ${which} body of request ${view.requestId} was not stored (its rule records ${link ? 'its digest only' : 'no body'})`);
    }
    if (link.state === 'pruned') throw statusError('NotFound', `the ${which} body of request ${view.requestId} was deleted by retention (prune as of ${link.prunedAsOf})`);
    const stored = link.stored as NonNullable<typeof link.stored>;
    let bytes: Uint8Array | undefined;
    try {
      bytes = await this.blobs.get(stored.digest);
    } catch (e) {
      if (e instanceof Error && e.name === 'BlobCorrupt') {
        this.logger.error(`stored ${which} body of request ${view.requestId}: ${e.message}`);
        throw statusError('InternalError', `the stored ${which} body of request ${view.requestId} does not match its digest ${stored.digest}: it was altered in the blob store (run chaperone verify)`);
      }
      throw statusError('ServiceUnavailable', `the blob store could not be read: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!bytes) {
      throw statusError(
        'NotFound',
        link.deferred
          ? `the ${which} body of request ${view.requestId} is not in the blob store yet: the ingress deferred storing it (RecordingDeferred)`
          : `the ${which} body of request ${view.requestId} (blob ${stored.digest}) is missing from the blob store (run chaperone verify)`,
      );
    }
    res.status(200);
    res.setHeader('content-type', bodyContentType(bytes, stored.timed));
    res.setHeader('content-length', String(bytes.length));
    res.setHeader('cache-control', 'no-store');
    // Bytes from agents and clusters: never sniffed into HTML, never run as a page.
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('content-security-policy', "default-src 'none'; sandbox");
    res.setHeader('x-chaperone-body-digest', link.digest);
    res.setHeader('x-chaperone-body-size', String(link.size));
    res.setHeader('x-chaperone-stored-digest', stored.digest);
    res.setHeader('x-chaperone-truncated', String(stored.truncated));
    res.setHeader('x-chaperone-timed', String(stored.timed));
    res.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }
}
