export const CheckStatus = {
  pass: 'PASS',
  fail: 'FAIL',
  /** Not applicable to this run (for example export completeness on a live scan). */
  skipped: 'SKIPPED',
} as const;
export type CheckStatus = (typeof CheckStatus)[keyof typeof CheckStatus];

export interface CheckResult {
  id: string;
  title: string;
  /** What the check proves and how, for reconciliation.md. */
  rule: string;
  status: CheckStatus;
  /** How many objects (accounts, invoices, ...) were examined. */
  checked: number;
  /** How many of them broke the rule. */
  failures: number;
  /** The first few failures, each naming the object and the numbers. */
  examples: string[];
  note?: string;
}

/** Collects a check's failures, keeping a bounded number of examples. */
export class Findings {
  count = 0;
  readonly examples: string[] = [];

  constructor(private readonly limit = 25) {}

  add(message: string): void {
    this.count++;
    if (this.examples.length < this.limit) this.examples.push(message);
  }

  /** Takes over another collector's failures (examples up to this one's limit, the full count). */
  absorb(other: Findings): void {
    for (const example of other.examples) {
      if (this.examples.length < this.limit) this.examples.push(example);
    }
    this.count += other.count;
  }

  result(input: { id: string; title: string; rule: string; checked: number; note?: string }): CheckResult {
    return {
      ...input,
      status: this.count === 0 ? CheckStatus.pass : CheckStatus.fail,
      failures: this.count,
      examples: this.examples,
    };
  }
}

export function skipped(input: { id: string; title: string; rule: string; note: string }): CheckResult {
  return { ...input, status: CheckStatus.skipped, checked: 0, failures: 0, examples: [] };
}
