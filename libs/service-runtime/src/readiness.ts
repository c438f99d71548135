import { Injectable } from '@nestjs/common';

export type ReadinessCheck = () => { ok: boolean; detail?: string };

/** Named checks a replica must pass before it takes work (/readyz). */
@Injectable()
export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();

  add(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  evaluate(): { ready: boolean; checks: Record<string, { ok: boolean; detail?: string }> } {
    const checks: Record<string, { ok: boolean; detail?: string }> = {};
    let ready = true;
    for (const [name, check] of this.checks) {
      let result: { ok: boolean; detail?: string };
      try {
        result = check();
      } catch (e) {
        result = { ok: false, detail: e instanceof Error ? e.message : String(e) };
      }
      checks[name] = result;
      ready &&= result.ok;
    }
    return { ready, checks };
  }
}
