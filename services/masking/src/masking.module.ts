import { Module, type DynamicModule } from '@nestjs/common';
import { busSubjects } from '@chaperone/contracts';
import { ServiceRuntimeModule, type RuntimeOptions } from '@chaperone/service-runtime';
import { maskOpenEndpoint } from './mask-streams/mask-open.endpoint';
import { MaskWorkerPool, type MaskPoolOptions } from './mask-streams/mask-pool';
import { MaskStreams } from './mask-streams/mask-streams';
import { MaskingMetrics } from './metrics/masking-metrics';
import { DEFAULT_MASKING_WORKERS, DEFAULT_WORKER_MIN_BYTES } from './config';

/** The masking service: masks response bodies and streams for the ingress, in its queue group. */
@Module({})
export class MaskingModule {
  static forRoot(runtime: RuntimeOptions, masking: MaskPoolOptions = { workers: DEFAULT_MASKING_WORKERS, minBytes: DEFAULT_WORKER_MIN_BYTES }): DynamicModule {
    return {
      module: MaskingModule,
      imports: [ServiceRuntimeModule.forRoot(runtime)],
      controllers: [maskOpenEndpoint(busSubjects(runtime.busPrefix).maskOpen)],
      providers: [{ provide: MaskWorkerPool, useFactory: () => new MaskWorkerPool(masking) }, MaskingMetrics, MaskStreams],
    };
  }
}
