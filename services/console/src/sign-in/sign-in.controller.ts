import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { ConsoleConfig } from '../config';
import { CONSOLE_CONFIG } from '../tokens';

/** What the page needs to start the authorization-code flow with PKCE; nothing secret (a public client). */
export interface SignInSettings {
  authorizeUrl: string | null;
  tokenUrl: string | null;
  clientId: string;
  scope: string;
  /** Which pages the menu offers to whom; the APIs enforce access themselves. */
  approverGroups: string[];
  complianceGroups: string[];
}

@Controller('console')
export class SignInController {
  constructor(@Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig) {}

  @Get('sign-in.json')
  @Header('cache-control', 'no-store')
  settings(): SignInSettings {
    return { authorizeUrl: this.config.authorizeUrl ?? null, tokenUrl: this.config.tokenUrl ?? null, clientId: this.config.clientId, scope: this.config.scope, approverGroups: this.config.approverGroups, complianceGroups: this.config.complianceGroups };
  }
}
