import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { redact } from './redact';

/** Nest logger that writes JSON lines (or pretty text locally) with secrets redacted. */
export class ChaperoneLogger extends ConsoleLogger {
  constructor(service: string, opts: { json: boolean; levels?: readonly LogLevel[] }) {
    super(service, { json: opts.json, logLevels: opts.levels ? [...opts.levels] : ['log', 'warn', 'error', 'fatal'], colors: !opts.json && process.stdout.isTTY === true });
  }

  protected override formatMessage(
    logLevel: LogLevel,
    message: unknown,
    pidMessage: string,
    formattedLogLevel: string,
    contextMessage: string,
    timestampDiff: string,
  ): string {
    return redact(super.formatMessage(logLevel, message, pidMessage, formattedLogLevel, contextMessage, timestampDiff));
  }

  protected override getJsonLogObject(message: unknown, options: Parameters<ConsoleLogger['getJsonLogObject']>[1]) {
    const obj = super.getJsonLogObject(message, options);
    return JSON.parse(redact(JSON.stringify(obj))) as typeof obj;
  }
}
