import { serviceHealthContract } from '@chaperone/service-runtime';
import { ApprovalModule } from './approval.module';

serviceHealthContract('approval', (runtime) => ApprovalModule.forRoot(runtime));
