import { Controller, Get, Header, Query, UseGuards } from '@nestjs/common';
import { ComplianceAccess, statusError } from '../access/compliance-access';
import { Projector } from '../projection/projector';
import { agentSummaries, parseRecent } from './agent-activity';

/** The agent registry with each agent's last activity, recent denials and approvals, for compliance readers. */
@Controller('agents')
@UseGuards(ComplianceAccess)
export class AgentsController {
  constructor(private readonly projector: Projector) {}

  @Get()
  @Header('cache-control', 'no-store')
  list(@Query('recent') recent: unknown) {
    let n: number;
    try {
      n = parseRecent(recent);
    } catch (e) {
      throw statusError('BadRequest', e instanceof Error ? e.message : String(e));
    }
    const model = this.projector.readModel;
    return { position: model.position, agents: agentSummaries(model, n) };
  }
}
