import type { PlannedRequest } from './requests';

interface OperationTally {
  sent: number;
  invalid: number;
  statuses: Map<number, number>;
  /** `404 not_found`: the error codes behind the statuses. */
  codes: Map<string, number>;
}

/** What a run sent and got, per operation: the figures its report prints. */
export class FuzzStats {
  private readonly operations = new Map<string, OperationTally>();
  serverErrors = 0;
  contradictions = 0;

  record(request: PlannedRequest, status: number, code: string | undefined, problems: string[]): void {
    let tally = this.operations.get(request.operationId);
    if (!tally) this.operations.set(request.operationId, (tally = { sent: 0, invalid: 0, statuses: new Map(), codes: new Map() }));
    if (code !== undefined) tally.codes.set(`${status} ${code}`, (tally.codes.get(`${status} ${code}`) ?? 0) + 1);
    tally.sent++;
    if (request.invalid !== undefined) tally.invalid++;
    tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
    if (status >= 500) this.serverErrors++;
    this.contradictions += problems.length;
  }

  sentTo(operationId: string): number {
    return this.operations.get(operationId)?.sent ?? 0;
  }

  get sent(): number {
    return [...this.operations.values()].reduce((sum, tally) => sum + tally.sent, 0);
  }

  /** Two lines per operation: what was sent and answered, then the error codes. */
  report(): string {
    const lines = [...this.operations].map(([operationId, tally]) => {
      const statuses = [...tally.statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`).join(' ');
      const codes = tally.codes.size > 0 ? `\n${' '.repeat(28)}${[...tally.codes].sort().map(([code, count]) => `${code}×${count}`).join(', ')}` : '';
      return `  ${operationId.padEnd(24)} ${String(tally.sent).padStart(5)} sent, ${String(tally.invalid).padStart(5)} invalid   ${statuses}${codes}`;
    });
    return [...lines, `  total ${this.sent} requests, ${this.serverErrors} answered 5xx, ${this.contradictions} contradictions`].join('\n');
  }
}
