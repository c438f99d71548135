import { useEffect, useState } from 'preact/hooks';
import { api, download } from '../api';
import { label, when } from '../format';

type Row = Record<string, unknown>;

interface Verification {
  status: 'verified' | 'failed' | 'unavailable';
  checkedAt: string;
  streams?: number;
  events?: number;
  checkpoints?: { found: number; signaturesChecked: boolean; lastAt?: string };
  problems?: { kind: string; description: string }[];
  detail?: string;
}

interface Soc2Report {
  title: string;
  generatedAt: string;
  period: { from: string; to: string };
  verification: Verification;
  summary: Record<string, unknown>;
  cc6_1: { identities: Row[]; policyVersions: (Row & { rules: string })[] };
  cc6_2_3: { approvals: Row[] };
  cc7_2: { denials: Row[]; secretReads: Row[] };
  cc8_1: { changes: Row[] };
}

const CSV_SECTIONS = ['summary', 'cc6.1-identities', 'cc6.1-policy-versions', 'cc6.2-registrations', 'cc6.3-approvals', 'cc7.2-denials', 'cc7.2-secret-reads', 'cc7.2-authentication-failures', 'cc7.2-bursts', 'cc8.1-changes'];
const TIME_FIELDS = /(time|At|Seen)$/;

const cell = (k: string, v: unknown): string => {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string' && TIME_FIELDS.test(k)) return when(v);
  return String(v);
};

/** A report table with human column labels; long tables show their first rows. */
function Table({ title, rows, columns, limit = 50 }: { title: string; rows: Row[]; columns: string[]; limit?: number }) {
  return (
    <section class="report-section">
      <h3>
        {title} <span class="muted">({rows.length})</span>
      </h3>
      {rows.length === 0 ? (
        <p class="muted">None in this period.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c} scope="col">
                    {label(c)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.slice(0, limit).map((r, i) => (
                <tr key={i}>
                  {columns.map((c) => (
                    <td key={c}>{cell(c, r[c])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length > limit && <p class="muted">First {limit} of {rows.length}; the downloads have them all.</p>}
        </div>
      )}
    </section>
  );
}

/** Decisions per rule, summed over the policy versions of the period, as a small bar chart. */
function RuleCounts({ versions }: { versions: { rules: string }[] }) {
  const counts = new Map<string, number>();
  for (const v of versions) {
    for (const pair of v.rules.split(' ').filter(Boolean)) {
      const i = pair.lastIndexOf('=');
      counts.set(pair.slice(0, i), (counts.get(pair.slice(0, i)) ?? 0) + Number(pair.slice(i + 1)));
    }
  }
  const rows = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const max = Math.max(1, ...rows.map((r) => r[1]));
  return (
    <section class="report-section">
      <h3>Decisions by rule</h3>
      <table class="bars">
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Decisions</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([rule, n]) => (
            <tr key={rule}>
              <td>{rule}</td>
              <td>
                <span class="bar" style={{ width: `${Math.max(2, (n / max) * 100)}%` }} aria-hidden="true" />
                <span class="num">{n}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function VerificationBox({ v }: { v: Verification }) {
  return (
    <div class={`verification ${v.status}`} role="status">
      <strong>Evidence chain: {v.status}</strong>
      {v.status === 'unavailable' ? (
        <span> — {v.detail}</span>
      ) : (
        <span>
          {' '}
          — {v.events} events in {v.streams} streams, checked {when(v.checkedAt)}; {v.checkpoints?.found ?? 0} signed checkpoint{v.checkpoints?.found === 1 ? '' : 's'}
          {v.checkpoints?.lastAt ? `, latest ${when(v.checkpoints.lastAt)}` : ''}
          {v.checkpoints && !v.checkpoints.signaturesChecked ? ' (signatures not checked: no public key configured)' : ''}
        </span>
      )}
      {v.problems && v.problems.length > 0 && (
        <ul>
          {v.problems.slice(0, 20).map((p, i) => (
            <li key={i}>
              {p.kind}: {p.description}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const day = (d: Date): string => d.toISOString().slice(0, 10);

/** The SOC 2 evidence report for people, with its downloads. */
export function Soc2({ token }: { token: string }) {
  const [from, setFrom] = useState(day(new Date(Date.now() - 30 * 86_400_000)));
  const [to, setTo] = useState(day(new Date(Date.now() + 86_400_000)));
  const [report, setReport] = useState<Soc2Report | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [section, setSection] = useState('cc6.3-approvals');
  const period = `from=${from}&to=${to}`;

  const load = (): void => {
    setError(undefined);
    api<Soc2Report>(token, `/reports/soc2?${period}`)
      .then(setReport)
      .catch((e: Error) => setError(e.message));
  };
  useEffect(load, [token]);

  const save = (format: string, extra = ''): void => {
    download(token, `/reports/soc2?${period}&format=${format}${extra}`, `soc2-${from}_${to}.${format}`).catch((e: Error) => setError(e.message));
  };
  const s = report?.summary ?? {};
  const num = (k: string): string => String(s[k] ?? 0);
  return (
    <section aria-labelledby="report-title">
      <h1 id="report-title">SOC 2 evidence report</h1>
      <form
        class="filters"
        aria-label="Report period"
        onSubmit={(e) => {
          e.preventDefault();
          load();
        }}
      >
        <label>
          From
          <input type="date" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          To (exclusive)
          <input type="date" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">Show</button>
      </form>
      <div class="downloads" role="group" aria-label="Downloads">
        <button onClick={() => save('json')}>Download JSON</button>
        <button onClick={() => save('html')}>Download HTML</button>
        <label>
          CSV section
          <select value={section} onChange={(e) => setSection((e.target as HTMLSelectElement).value)}>
            {CSV_SECTIONS.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <button onClick={() => save('csv', `&section=${section}`)}>Download CSV</button>
      </div>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {report && (
        <>
          <p class="muted">
            {when(report.period.from)} to {when(report.period.to)} · generated {when(report.generatedAt)}
          </p>
          <VerificationBox v={report.verification} />
          <ul class="cards">
            {[
              ['Requests', 'requests'],
              ['Sessions', 'sessions'],
              ['Identities', 'identities'],
              ['Approvals', 'approvals'],
              ['Self-approvals', 'selfApprovals'],
              ['Denials', 'denials'],
              ['Secret reads', 'secretReads'],
              ['Unmasked secret reads', 'unmaskedSecretReads'],
              ['Changes', 'changes'],
              ['Changes with approval', 'changesWithApproval'],
            ].map(([t, k]) => (
              <li key={k}>
                <span class="num big">{num(k as string)}</span>
                <span>{t}</span>
              </li>
            ))}
          </ul>
          <RuleCounts versions={report.cc6_1.policyVersions} />
          <Table title="CC6.1 Identities" rows={report.cc6_1.identities} columns={['agent', 'owner', 'username', 'groups', 'sessions', 'requests', 'lastSeen']} />
          <Table title="CC6.3 Approvals" rows={report.cc6_2_3.approvals} columns={['requestedAt', 'agent', 'verb', 'resource', 'namespace', 'name', 'rule', 'status', 'approvers', 'secondsToDecision']} />
          <Table title="CC7.2 Denials" rows={report.cc7_2.denials} columns={['time', 'agent', 'verb', 'resource', 'namespace', 'name', 'rule', 'reason']} />
          <Table title="CC7.2 Secret reads" rows={report.cc7_2.secretReads} columns={['time', 'agent', 'verb', 'namespace', 'name', 'rule', 'maskedValues', 'unmasked']} />
          <Table title="CC8.1 Changes" rows={report.cc8_1.changes} columns={['time', 'agent', 'verb', 'resource', 'namespace', 'name', 'decision', 'approvers', 'outcome', 'status']} />
        </>
      )}
    </section>
  );
}

/** Evidence integrity: the latest verification and signed checkpoint, and a button to verify now. */
export function Evidence({ token }: { token: string }) {
  const [v, setV] = useState<Verification | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const verify = (): void => {
    setBusy(true);
    api<Verification>(token, '/verify')
      .then((r) => (setV(r), setError(undefined)))
      .catch((e: Error) => setError(e.message))
      .finally(() => setBusy(false));
  };
  useEffect(verify, [token]);
  return (
    <section aria-labelledby="evidence-title">
      <h1 id="evidence-title">Evidence integrity</h1>
      <p class="muted">Every stored event is hash-chained; the audit service signs the chain heads. Verifying reads the whole store again.</p>
      <button onClick={verify} disabled={busy}>
        {busy ? 'Verifying…' : 'Verify now'}
      </button>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {v && <VerificationBox v={v} />}
    </section>
  );
}
