import { Module, type DynamicModule } from '@nestjs/common';
import { busSubjects } from '@chaperone/contracts';
import { ServiceRuntimeModule, type RuntimeOptions } from '@chaperone/service-runtime';
import { maskOpenEndpoint } from './mask-streams/mask-open.endpoint';
import { MaskStreams } from './mask-streams/mask-streams';

/** The masking service: masks response bodies and streams for the ingress, in its queue group. */
@Module({})
export class MaskingModule {
  static forRoot(runtime: RuntimeOptions): DynamicModule {
    return {
      module: MaskingModule,
      imports: [ServiceRuntimeModule.forRoot(runtime)],
      controllers: [maskOpenEndpoint(busSubjects(runtime.busPrefix).maskOpen)],
      providers: [MaskStreams],
    };
  }
}
