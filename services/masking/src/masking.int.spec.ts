import { serviceHealthContract } from '@chaperone/service-runtime';
import { MaskingModule } from './masking.module';

serviceHealthContract('masking', (runtime) => MaskingModule.forRoot(runtime));
