import { Inject, Injectable } from '@nestjs/common';
import type { Attributes, Counter } from '@opentelemetry/api';
import type { MaskMode } from '@chaperone/contracts';
import { Metrics } from '@chaperone/service-runtime';

/**
 * The masking service's figures, by `chaperone.masking.mode` (document, watch, lines):
 * - `chaperone.masking.bytes` (By): response bytes received to be masked;
 * - `chaperone.masking.values`: values masked (a masked field, a detector hit);
 * - `chaperone.masking.failures`: streams that failed (the ingress then refuses the response);
 * - `chaperone.masking.streams.open` (observed at scrape): responses being masked now.
 */
@Injectable()
export class MaskingMetrics {
  private readonly bytes: Counter;
  private readonly values: Counter;
  private readonly failures: Counter;
  private readonly modeAttrs = new Map<MaskMode, Attributes>();
  private openStreams: () => number = () => 0;

  constructor(@Inject(Metrics) metrics: Metrics) {
    const { meter } = metrics;
    this.bytes = meter.createCounter('chaperone.masking.bytes', { unit: 'By', description: 'response bytes received for masking' });
    this.values = meter.createCounter('chaperone.masking.values', { unit: '{value}', description: 'values masked' });
    this.failures = meter.createCounter('chaperone.masking.failures', { unit: '{stream}', description: 'masking streams that failed (the response is refused)' });
    this.failures.add(0);
    meter
      .createObservableUpDownCounter('chaperone.masking.streams.open', { unit: '{stream}', description: 'responses being masked now' })
      .addCallback((result) => result.observe(this.openStreams()));
  }

  /** Where the open-stream count is read from at scrape time. */
  countOpenWith(open: () => number): void {
    this.openStreams = open;
  }

  received(mode: MaskMode, bytes: number): void {
    if (bytes > 0) this.bytes.add(bytes, this.attrs(mode));
  }

  masked(mode: MaskMode, values: number): void {
    this.values.add(values, this.attrs(mode));
  }

  failed(mode: MaskMode): void {
    this.failures.add(1, this.attrs(mode));
  }

  private attrs(mode: MaskMode): Attributes {
    let attrs = this.modeAttrs.get(mode);
    if (!attrs) this.modeAttrs.set(mode, (attrs = Object.freeze({ 'chaperone.masking.mode': mode })));
    return attrs;
  }
}
