/** The reporting period: `from` inclusive, `to` exclusive, both ISO-8601 UTC, either open. */
export interface Period {
  from?: string;
  to?: string;
}

/** Timestamps are normalised to toISOString's shape on the way in, so string order is time order. */
export function inPeriod(period: Period, at: string): boolean {
  return (period.from === undefined || at >= period.from) && (period.to === undefined || at < period.to);
}

export function beforeTo(period: Period, at: string): boolean {
  return period.to === undefined || at < period.to;
}

export function beforeFrom(period: Period, at: string): boolean {
  return period.from !== undefined && at < period.from;
}

/** The UTC day of a normalised timestamp. */
export function utcDay(at: string): string {
  return at.slice(0, 10);
}
