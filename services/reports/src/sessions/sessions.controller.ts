import { Controller, Get, Header, Param, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { ComplianceAccess, statusError } from '../access/compliance-access';
import { Projector } from '../projection/projector';
import { replaySession, replayText } from '../replay/replay';
import { InvalidQuery, parseSessionQuery, searchSessions, sessionDetail } from './search';

/** Sessions and their replays, for compliance readers. */
@Controller('sessions')
@UseGuards(ComplianceAccess)
export class SessionsController {
  constructor(private readonly projector: Projector) {}

  @Get()
  @Header('cache-control', 'no-store')
  list(@Query() query: Record<string, unknown>) {
    let q;
    try {
      q = parseSessionQuery(query);
    } catch (e) {
      if (e instanceof InvalidQuery) throw statusError('BadRequest', e.message);
      throw e;
    }
    const model = this.projector.readModel;
    return { position: model.position, ...searchSessions(model, q) };
  }

  @Get(':id')
  @Header('cache-control', 'no-store')
  one(@Param('id') id: string) {
    const detail = sessionDetail(this.projector.readModel, id);
    if (!detail) throw statusError('NotFound', `no session "${id.slice(0, 128)}" in the event store (up to position ${this.projector.readModel.position})`);
    return detail;
  }

  /** The session as kubectl commands: JSON by default, `format=text` for the shell-like listing. */
  @Get(':id/replay')
  replay(@Param('id') id: string, @Query('format') format: unknown, @Res() res: Response): void {
    if (format !== undefined && format !== 'json' && format !== 'text') throw statusError('BadRequest', 'format must be json or text');
    const replay = replaySession(this.projector.readModel, id);
    if (!replay) throw statusError('NotFound', `no session "${id.slice(0, 128)}" in the event store (up to position ${this.projector.readModel.position})`);
    res.setHeader('cache-control', 'no-store');
    if (format === 'text') res.type('text/plain; charset=utf-8').send(replayText(replay));
    else res.json(replay);
  }
}
