import { Controller, Get, Header } from '@nestjs/common';
import { openApiDocument } from './openapi';

/** The approvers API described for tools (no token needed: it holds no data). */
@Controller()
export class OpenApiController {
  @Get('openapi.json')
  @Header('cache-control', 'no-cache')
  document(): object {
    return openApiDocument;
  }
}
