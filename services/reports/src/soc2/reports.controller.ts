import { Controller, Get, HttpCode, Inject, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { ComplianceAccess, statusError } from '../access/compliance-access';
import { Projector } from '../projection/projector';
import { InvalidQuery, parseTime } from '../sessions/search';
import { CHAIN_VERIFIER, CLOCK, REPORTS_CONFIG } from '../tokens';
import type { ReportsConfig } from '../config';
import type { ChainVerifier } from '../verify/chain-verification';
import { CSV_SECTIONS, sectionCsv, type CsvSection } from './csv';
import { reportHtml } from './html';
import { buildSoc2Report, type Period } from './soc2-report';

const DEFAULT_DAYS = 30;

/** SOC 2 evidence reports, chain verification and projection upkeep, for compliance readers. */
@Controller()
@UseGuards(ComplianceAccess)
export class ReportsController {
  constructor(
    private readonly projector: Projector,
    @Inject(CHAIN_VERIFIER) private readonly verifier: ChainVerifier,
    @Inject(REPORTS_CONFIG) private readonly config: ReportsConfig,
    @Inject(CLOCK) private readonly now: () => Date,
  ) {}

  /** `from`/`to` (ISO; `to` exclusive; default the last 30 days), `format` json|csv|html, `section` for CSV. */
  @Get('reports/soc2')
  async soc2(@Query() q: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const format = q['format'] ?? 'json';
    if (format !== 'json' && format !== 'csv' && format !== 'html') throw statusError('BadRequest', 'format must be json, csv or html');
    const section = q['section'];
    if (format === 'csv' && !CSV_SECTIONS.includes(section as CsvSection)) {
      throw statusError('BadRequest', `format=csv needs section= one of ${CSV_SECTIONS.join(', ')} (one CSV per section)`);
    }
    const period = this.period(q);
    const report = buildSoc2Report(this.projector.readModel, period, {
      burst: { threshold: this.config.burstThreshold, windowSeconds: this.config.burstWindowSeconds },
      verification: await this.verifier.verify(),
      now: this.now(),
    });
    res.setHeader('cache-control', 'no-store');
    const stamp = `${period.from.slice(0, 10)}_${period.to.slice(0, 10)}`;
    if (format === 'csv') {
      res.setHeader('content-disposition', `attachment; filename="soc2-${stamp}-${String(section)}.csv"`);
      res.type('text/csv; charset=utf-8').send(sectionCsv(report, section as CsvSection));
    } else if (format === 'html') {
      res.type('text/html; charset=utf-8').send(reportHtml(report));
    } else {
      res.json(report);
    }
  }

  @Get('verify')
  async verify() {
    return this.verifier.verify({ fresh: true });
  }

  @Get('projections')
  projections() {
    const m = this.projector.readModel;
    return { position: m.position, applied: m.applied, loadedSnapshotAt: this.projector.loadedSnapshotAt, sessions: m.sessions.size, requests: m.requests.size, approvals: m.approvals.size, invalidEvents: m.invalid.length };
  }

  /** Rebuild this replica's read model from zero (other replicas keep theirs; each is built from the store alone). */
  @Post('projections/rebuild')
  @HttpCode(200)
  async rebuild() {
    return this.projector.rebuild();
  }

  private period(q: Record<string, unknown>): Period {
    try {
      const str = (k: string) => {
        const v = q[k];
        if (v !== undefined && typeof v !== 'string') throw new InvalidQuery(`${k} must be given once`);
        return v;
      };
      const to = parseTime('to', str('to')) ?? this.now().toISOString();
      const from = parseTime('from', str('from')) ?? new Date(Date.parse(to) - DEFAULT_DAYS * 86_400_000).toISOString();
      if (from >= to) throw new InvalidQuery('from must be before to');
      return { from, to };
    } catch (e) {
      if (e instanceof InvalidQuery) throw statusError('BadRequest', e.message);
      throw e;
    }
  }
}
