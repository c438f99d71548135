import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceRuntimeModule, type RuntimeOptions } from '@chaperone/service-runtime';
import { MaskDocumentResponder } from './mask-streams/mask-document.responder';
import { MaskOpenResponder } from './mask-streams/mask-open.responder';
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
      providers: [{ provide: MaskWorkerPool, useFactory: () => new MaskWorkerPool(masking) }, MaskingMetrics, MaskStreams, MaskOpenResponder, MaskDocumentResponder],
    };
  }
}
