import { Module, type DynamicModule } from '@nestjs/common';
import { createAuthenticator } from '@chaperone/auth';
import { oidcAuthConfig, runtimeOptions, ServiceRuntimeModule } from '@chaperone/service-runtime';
import { AssetsController } from './assets/assets.controller';
import { ConsoleAssets } from './assets/console-assets';
import type { ConsoleConfig } from './config';
import { ApprovalEventsController } from './live/approval-events.controller';
import { ApiProxyController } from './proxy/api-proxy.controller';
import { SignInController } from './sign-in/sign-in.controller';
import { AUTHENTICATOR, CONSOLE_CONFIG } from './tokens';

/** The web console: its assets, its sign-in settings, a live stream of approval changes, and the API pass-through. */
@Module({})
export class ConsoleModule {
  static forRoot(config: ConsoleConfig): DynamicModule {
    return {
      module: ConsoleModule,
      imports: [ServiceRuntimeModule.forRoot(runtimeOptions('console', config, { events: false }))],
      // The live stream before the pass-through: both are under /api/.
      controllers: [SignInController, ApprovalEventsController, ApiProxyController, AssetsController],
      providers: [
        { provide: CONSOLE_CONFIG, useValue: config },
        { provide: AUTHENTICATOR, useFactory: () => createAuthenticator(oidcAuthConfig(config)) },
        { provide: ConsoleAssets, useFactory: () => ConsoleAssets.load(config.assetsDir) },
      ],
    };
  }
}
