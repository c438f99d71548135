import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceRuntimeModule, type RuntimeOptions } from '@chaperone/service-runtime';

/**
 * The masking service. It starts, joins the bus in its queue group and answers health checks;
 * its capability lands with its own issue (see the README's status table).
 */
@Module({})
export class MaskingModule {
  static forRoot(runtime: RuntimeOptions): DynamicModule {
    return { module: MaskingModule, imports: [ServiceRuntimeModule.forRoot(runtime)] };
  }
}
