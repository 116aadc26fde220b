/**
 * A Retry-After header (RFC 9110 §10.2.3) as milliseconds from `now`: either delay-seconds
 * or an HTTP-date. Undefined when absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfterMs(header: string | undefined, now: Date): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) {
    const seconds = Number(value);
    return Number.isSafeInteger(seconds * 1000) ? seconds * 1000 : Number.MAX_SAFE_INTEGER;
  }
  // HTTP-date: IMF-fixdate (and the obsolete forms Date.parse also reads); must name a weekday and GMT.
  if (!/GMT$/i.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/** Statuses whose Retry-After we follow: the contract's 429, 502 and 504, and 503, which is where servers usually send it. */
export const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);
