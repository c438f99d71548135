import { z } from 'zod';
import { setting, type ConfigOf, type Setting } from '@chaperone/config';
import { commonSettings, eventStoreSettings } from '@chaperone/service-runtime';

export const ExportFormats = Object.freeze(['k8s-audit', 'ocsf'] as const);
export type ExportFormat = (typeof ExportFormats)[number];
export const TransportKinds = Object.freeze(['file', 'webhook'] as const);
export type TransportKind = (typeof TransportKinds)[number];

/** One sink: a named follower of the evidence store with its own checkpoint. */
export interface SinkSpec {
  /** The checkpoint's key: renaming a sink starts it over from the beginning of the store. */
  name: string;
  format: ExportFormat;
  transport: TransportKind;
  /** A file path, or an http(s) URL. */
  target: string;
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** `name=format:transport:target`, e.g. `siem=k8s-audit:webhook:https://siem.example/audit`. */
export function parseSinkSpec(text: string): SinkSpec {
  const eq = text.indexOf('=');
  const name = text.slice(0, eq);
  const [format, transport, ...rest] = text.slice(eq + 1).split(':');
  const target = rest.join(':');
  if (eq < 1 || !NAME.test(name)) throw new Error(`sink name must be 1-63 lower-case letters, digits or '-', starting with a letter, before '='`);
  if (!ExportFormats.includes(format as ExportFormat)) throw new Error(`sink ${name}: format must be one of ${ExportFormats.join(', ')}`);
  if (!TransportKinds.includes(transport as TransportKind)) throw new Error(`sink ${name}: transport must be one of ${TransportKinds.join(', ')}`);
  if (!target) throw new Error(`sink ${name}: no target (a file path or a URL) after the transport`);
  if (transport === 'webhook') {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw new Error(`sink ${name}: the webhook target is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`sink ${name}: the webhook target must be http or https`);
  }
  return { name, format: format as ExportFormat, transport: transport as TransportKind, target };
}

function sinkList(env: string): Setting<SinkSpec[]> {
  const schema = z.string().transform((raw, ctx) => {
    const specs: SinkSpec[] = [];
    for (const item of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
      try {
        specs.push(parseSinkSpec(item));
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
        return z.NEVER;
      }
    }
    if (specs.length === 0) ctx.addIssue({ code: 'custom', message: 'no sink given' });
    if (new Set(specs.map((s) => s.name)).size !== specs.length) ctx.addIssue({ code: 'custom', message: 'sink names must differ (each names a checkpoint)' });
    return specs;
  });
  return {
    env,
    expected: 'comma-separated sinks name=format:transport:target, format k8s-audit or ocsf, transport file (a path) or webhook (a URL)',
    schema,
    // URLs can carry credentials: never echoed in a configuration error.
    secret: true,
  };
}

export const exporterSettings = {
  ...commonSettings(9407),
  ...eventStoreSettings(),
  sinks: sinkList('CHAPERONE_EXPORT_SINKS'),
  batchSize: setting.int('CHAPERONE_EXPORT_BATCH_SIZE', 'most records per file write or webhook POST', '500', 1, 10_000),
  pollMs: setting.int('CHAPERONE_EXPORT_POLL_MS', 'milliseconds between reads of the store once a sink has caught up', '500', 10, 60_000),
  pendingMaxAgeSeconds: setting.int(
    'CHAPERONE_EXPORT_PENDING_MAX_AGE_SECONDS',
    'seconds (event time) a request without RequestCompleted is held before the checkpoint moves past it',
    '3600',
    1,
    7 * 86_400,
  ),
  webhookTimeoutMs: setting.int('CHAPERONE_EXPORT_WEBHOOK_TIMEOUT_MS', 'milliseconds a webhook has to answer a batch', '10000', 100, 300_000),
  webhookTokenFile: setting.optional('CHAPERONE_EXPORT_WEBHOOK_TOKEN_FILE', 'file holding a bearer token sent to every webhook sink; unset = none'),
  backoffMaxMs: setting.int('CHAPERONE_EXPORT_BACKOFF_MAX_MS', 'longest wait between attempts at a failing sink', '30000', 100, 600_000),
};

export type ExporterConfig = ConfigOf<typeof exporterSettings>;
