import { Controller, Get, Inject, Logger, Param, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { BlobStore } from '@chaperone/blob-store';
import { ComplianceAccess, statusError } from '../access/compliance-access';
import { Projector } from '../projection/projector';
import { BLOB_STORE } from '../tokens';
import { BODY_KINDS, bodyLink, type BodyKind } from './body-links';
import { bodyContentType } from './content-type';
import { recordingLink } from './recording-link';
import { readStoredBlob, sendStoredBytes } from './stored-blob';
import type { RequestView } from '../read-model';

/**
 * A request's recorded bodies, for compliance readers: the request as the agent sent it and the
 * response as the agent received it (masked), read from the blob store, which checks the bytes
 * against their digest on every read, and exec sessions' recordings. 404 with the reason when the
 * body is not there to serve.
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
    const view = this.requestOf(sessionId, requestId);
    const link = bodyLink(view, which as BodyKind);
    if (!link || link.state === 'digest-only') {
      throw statusError('NotFound', `the ${which} body of request ${view.requestId} was not stored (its rule records ${link ? 'its digest only' : 'no body'})`);
    }
    if (link.state === 'pruned') throw statusError('NotFound', `the ${which} body of request ${view.requestId} was deleted by retention (prune as of ${link.prunedAsOf})`);
    const stored = link.stored as NonNullable<typeof link.stored>;
    const bytes = await readStoredBlob(this.blobs, this.logger, stored.digest, `the ${which} body of request ${view.requestId}`, link.deferred === true);
    sendStoredBytes(res, bytes, bodyContentType(bytes, stored.timed), {
      'x-chaperone-body-digest': link.digest,
      'x-chaperone-body-size': String(link.size),
      'x-chaperone-stored-digest': stored.digest,
      'x-chaperone-truncated': String(stored.truncated),
      'x-chaperone-timed': String(stored.timed),
    });
  }

  /**
   * An exec or attach session's recording: the asciicast v2 file as stored (masked by the ingress
   * before it was stored), for asciinema players and `chaperone play`.
   */
  @Get(':id/requests/:rid/recording')
  async recording(@Param('id') sessionId: string, @Param('rid') requestId: string, @Res() res: Response): Promise<void> {
    const view = this.requestOf(sessionId, requestId);
    const link = recordingLink(view);
    if (!link) throw statusError('NotFound', `request ${view.requestId} is not a recorded exec or attach session (no ExecSessionRecorded)`);
    if (link.state === 'pruned') throw statusError('NotFound', `the recording of request ${view.requestId} was deleted by retention (prune as of ${link.prunedAsOf})`);
    const bytes = await readStoredBlob(this.blobs, this.logger, link.digest, `the recording of request ${view.requestId}`, link.deferred === true);
    sendStoredBytes(res, bytes, 'application/x-asciicast; charset=utf-8', {
      'x-chaperone-recording-digest': link.digest,
      'x-chaperone-truncated': String(link.truncated),
    });
  }

  private requestOf(sessionId: string, requestId: string): RequestView {
    const model = this.projector.readModel;
    const view = model.requests.get(requestId);
    if (!view || view.sessionId !== sessionId) {
      throw statusError('NotFound', `no request "${requestId.slice(0, 128)}" in session "${sessionId.slice(0, 128)}" (up to position ${model.position})`);
    }
    return view;
  }
}
