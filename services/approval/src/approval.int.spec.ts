import { serviceHealthContract } from '@chaperone/service-runtime/testing';
import { ApprovalModule } from './approval.module';
import { deleteApprovalStreams, testAuthConfig } from './testing/approval-test-kit';

serviceHealthContract(
  'approval',
  (runtime) => ApprovalModule.forRoot({ runtime, eventStore: 'jetstream', auth: testAuthConfig() }),
  deleteApprovalStreams,
);
