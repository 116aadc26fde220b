import { LedgerEntryType } from '../../functions/lib/ledger/ledger-entry';
import type { LedgerEntryRecord, WithdrawalRecord } from '../items';
import type { IdTable } from './interner';
import { utcDay } from './period';
import { add, type Sum } from './totals';

/**
 * One merchant's UTC day. Amounts are magnitudes (money out is positive in `withdrawals`),
 * except `net`, the signed Σ of every ledger entry of the day:
 *   net = deposits − withdrawals + refunds − fee_reserves + fee_refunds (+ transfers in − out, which cancel within a merchant)
 * `fees` is what succeeded withdrawals that completed that day actually paid (Σ fee_msat),
 * which equals their fee_reserve − fee_refund.
 */
export class DayRow {
  readonly deposits: Sum = { count: 0, msat: 0n };
  readonly withdrawals: Sum = { count: 0, msat: 0n };
  readonly refunds: Sum = { count: 0, msat: 0n };
  readonly fees: Sum = { count: 0, msat: 0n };
  readonly feeReserves: Sum = { count: 0, msat: 0n };
  readonly feeRefunds: Sum = { count: 0, msat: 0n };
  readonly transfers: Sum = { count: 0, msat: 0n };
  netMsat = 0n;

  constructor(
    readonly day: string,
    readonly merchantId: string,
  ) {}
}

/** Rows per (day, merchant): bounded by days × merchants, never by entries. */
export class DailyBook {
  private readonly rows = new Map<string, DayRow>();

  constructor(private readonly ids: IdTable) {}

  private row(at: string, merchantId: string): DayRow {
    const day = utcDay(at);
    const key = `${day} ${merchantId}`;
    let row = this.rows.get(key);
    if (!row) {
      row = new DayRow(day, this.ids.intern(merchantId));
      this.rows.set(key, row);
    }
    return row;
  }

  /** A ledger entry inside the period. */
  onEntry(entry: LedgerEntryRecord, amountMsat: bigint): void {
    const row = this.row(entry.created_at, entry.merchant_id);
    row.netMsat += amountMsat;
    switch (entry.type) {
      case LedgerEntryType.deposit:
        add(row.deposits, amountMsat);
        break;
      case LedgerEntryType.withdrawal:
        add(row.withdrawals, -amountMsat);
        break;
      case LedgerEntryType.withdrawalRefund:
        add(row.refunds, amountMsat);
        break;
      case LedgerEntryType.feeReserve:
        add(row.feeReserves, -amountMsat);
        break;
      case LedgerEntryType.feeRefund:
        add(row.feeRefunds, amountMsat);
        break;
      case LedgerEntryType.transferOut:
        add(row.transfers, -amountMsat);
        break;
      case LedgerEntryType.transferIn:
        // Counted once, on the way out; the in side cancels it in `net`.
        break;
    }
  }

  /** A succeeded withdrawal that completed inside the period and paid a routing fee. */
  onFeePaid(withdrawal: WithdrawalRecord & { completed_at: string; fee_msat: number }): void {
    add(this.row(withdrawal.completed_at, withdrawal.merchant_id).fees, BigInt(withdrawal.fee_msat));
  }

  sorted(): DayRow[] {
    return [...this.rows.values()].sort((a, b) => (a.day === b.day ? compare(a.merchantId, b.merchantId) : compare(a.day, b.day)));
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
