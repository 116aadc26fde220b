import { LedgerEntryType } from '../../functions/lib/ledger/ledger-entry';

export interface Sum {
  count: number;
  msat: bigint;
}

const zeroByType = (): Record<LedgerEntryType, Sum> =>
  Object.fromEntries(Object.values(LedgerEntryType).map((type) => [type, { count: 0, msat: 0n }])) as Record<LedgerEntryType, Sum>;

/**
 * Running totals in BigInt: sums over millions of entries can leave the safe-integer range
 * even when every single amount is safe.
 */
export class Totals {
  /** Every ledger entry in scope, all time, by type (signed as stored). */
  readonly ledgerAllTime = zeroByType();
  /** The entries inside the period. */
  readonly ledgerInPeriod = zeroByType();
  accounts = 0;
  balances = 0n;

  // From the objects themselves, all time: the other side of the books.
  /** Invoices with status paid, and what they credited (amount_paid_msat). */
  paidInvoices: Sum = { count: 0, msat: 0n };
  /** Internally paid invoices the node settled anyway (late_settlement_msat). */
  lateSettlements: Sum = { count: 0, msat: 0n };
  /** Withdrawals not failed (pending, in flight, succeeded): their amounts have left the balances. */
  withdrawalsOut: Sum = { count: 0, msat: 0n };
  /** Succeeded withdrawals and the routing fees they actually paid (fee_msat). */
  feesPaid: Sum = { count: 0, msat: 0n };
  /** Pending or in-flight withdrawals: the fee reserve still held back from the balance. */
  reservesHeld: Sum = { count: 0, msat: 0n };
  /** Pending or in-flight withdrawals: amount + reserve that may still leave the node. */
  openOutflow: Sum = { count: 0, msat: 0n };
  failedWithdrawals: Sum = { count: 0, msat: 0n };

  addEntry(type: LedgerEntryType, amountMsat: bigint, inPeriod: boolean): void {
    const all = this.ledgerAllTime[type];
    all.count++;
    all.msat += amountMsat;
    if (inPeriod) {
      const period = this.ledgerInPeriod[type];
      period.count++;
      period.msat += amountMsat;
    }
  }

  /** Σ of every ledger entry in scope. */
  ledgerNet(): bigint {
    return Object.values(this.ledgerAllTime).reduce((sum, entry) => sum + entry.msat, 0n);
  }
}

export function add(sum: Sum, msat: bigint): void {
  sum.count++;
  sum.msat += msat;
}
