import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceRuntimeModule } from '@chaperone/service-runtime';

/**
 * The approval service. It starts, joins the bus in its queue group and answers health checks;
 * its capability lands with its own issue (see the README's roadmap).
 */
@Module({})
export class ApprovalModule {
  static forRoot(natsServers: string[]): DynamicModule {
    return { module: ApprovalModule, imports: [ServiceRuntimeModule.forRoot({ service: 'approval', natsServers })] };
  }
}
