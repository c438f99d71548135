import type { ReadModel, RequestView } from '../read-model';

export interface Period {
  /** Inclusive, ISO. */
  from: string;
  /** Exclusive, ISO. */
  to: string;
}

/** [from, to) as milliseconds, parsed once per report. */
export function periodTest(p: Period): (time: string) => boolean {
  const from = Date.parse(p.from);
  const to = Date.parse(p.to);
  return (time) => {
    const t = Date.parse(time);
    return t >= from && t < to;
  };
}

/** The requests of the period, in time order (then by request id): the order of every list of the report. */
export function requestsInPeriod(model: ReadModel, inPeriod: (time: string) => boolean): RequestView[] {
  const requests: RequestView[] = [];
  for (const r of model.requests.values()) if (inPeriod(r.time)) requests.push(r);
  requests.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.requestId.localeCompare(b.requestId)));
  return requests;
}
