import { LedgerEntryType } from '../../functions/lib/ledger/ledger-entry';
import { WithdrawalStatus } from '../../functions/lib/withdrawals/withdrawal';
import { Findings } from '../checks/check';
import type { LedgerEntryRecord, WithdrawalRecord } from '../items';
import { AccountColumn, amountOrNone, amountOrNull, grown, MIXED_ACCOUNTS, NO_AMOUNT, RowIndex, TallyColumns, type Tally } from './columns';
import type { IdTable } from './interner';
import { add, type Totals } from './totals';

const STATUSES: WithdrawalStatus[] = ['pending', 'in_flight', 'succeeded', 'failed'];
const NO_ITEM = -1;

export const isOpen = (status: WithdrawalStatus | null) => status === WithdrawalStatus.pending || status === WithdrawalStatus.inFlight;

/** One withdrawal as the checks see it. */
export interface WithdrawalView {
  id: string;
  hasItem: boolean;
  status: WithdrawalStatus | null;
  accountId: string | null;
  amountMsat: bigint;
  feeReserveMsat: bigint;
  feeMsat: bigint | null;
  debit: Tally;
  feeReserve: Tally;
  feeRefund: Tally;
  refund: Tally;
  entryAccountId: string | null;
  entriesInSeveralAccounts: boolean;
}

/** Per withdrawal, in columns: its state and the entries that reference it. */
export class WithdrawalBook {
  private readonly index = new RowIndex();
  private status = new Int8Array(0);
  private account = new Int32Array(0);
  private amount = new BigInt64Array(0);
  private reserve = new BigInt64Array(0);
  private fee = new BigInt64Array(0);
  private readonly debit = new TallyColumns();
  private readonly feeReserve = new TallyColumns();
  private readonly feeRefund = new TallyColumns();
  private readonly refund = new TallyColumns();
  private readonly entryAccount = new AccountColumn();
  /** payment_hash → the row of the succeeded withdrawal that paid it. */
  private readonly succeededByHash = new Map<string, number>();
  private readonly paidTwiceRows: Array<[hash: string, first: number, second: number]> = [];
  readonly badReferences = new Findings();
  succeeded = 0;

  constructor(
    private readonly accounts: IdTable,
    private readonly totals: Totals,
  ) {}

  private readonly grow = (capacity: number) => {
    this.status = grown(this.status, capacity, NO_ITEM);
    this.account = grown(this.account, capacity, -1);
    this.amount = grown(this.amount, capacity);
    this.reserve = grown(this.reserve, capacity);
    this.fee = grown(this.fee, capacity, NO_AMOUNT);
    for (const tally of [this.debit, this.feeReserve, this.feeRefund, this.refund]) tally.grow(capacity);
    this.entryAccount.grow(capacity);
  };

  onWithdrawal(withdrawal: WithdrawalRecord): void {
    const row = this.index.rowOf(withdrawal.id, this.grow);
    const amount = BigInt(withdrawal.amount_msat);
    const reserve = BigInt(withdrawal.fee_reserve_msat);
    this.status[row] = STATUSES.indexOf(withdrawal.status);
    this.account[row] = this.accounts.numberOf(withdrawal.account_id);
    this.amount[row] = amount;
    this.reserve[row] = reserve;
    this.fee[row] = amountOrNone(withdrawal.fee_msat);

    if (withdrawal.status === WithdrawalStatus.failed) {
      add(this.totals.failedWithdrawals, amount);
      return;
    }
    add(this.totals.withdrawalsOut, amount);
    if (isOpen(withdrawal.status)) {
      add(this.totals.reservesHeld, reserve);
      add(this.totals.openOutflow, amount + reserve);
      return;
    }
    add(this.totals.feesPaid, BigInt(withdrawal.fee_msat ?? 0));
    this.succeeded++;
    const earlier = this.succeededByHash.get(withdrawal.payment_hash);
    if (earlier === undefined) this.succeededByHash.set(withdrawal.payment_hash, row);
    else this.paidTwiceRows.push([withdrawal.payment_hash, earlier, row]);
  }

  onEntry(entry: LedgerEntryRecord, account: number, amountMsat: bigint): void {
    if (!entry.reference_id.startsWith('wd_')) {
      this.badReferences.add(`${entry.type} ${entry.id} in ${entry.account_id} references ${entry.reference_id}, not a withdrawal`);
      return;
    }
    const row = this.index.rowOf(entry.reference_id, this.grow);
    switch (entry.type) {
      case LedgerEntryType.withdrawal:
        this.debit.note(row, amountMsat);
        break;
      case LedgerEntryType.feeReserve:
        this.feeReserve.note(row, amountMsat);
        break;
      case LedgerEntryType.feeRefund:
        this.feeRefund.note(row, amountMsat);
        break;
      case LedgerEntryType.withdrawalRefund:
        this.refund.note(row, amountMsat);
        break;
      default:
        throw new Error(`not a withdrawal entry: ${entry.type}`);
    }
    this.entryAccount.note(row, account);
  }

  /** Succeeded withdrawals that share a payment hash with an earlier one. */
  paidTwice(): Findings {
    const findings = new Findings();
    if (this.paidTwiceRows.length === 0) return findings;
    const idOf = new Map<number, string>();
    const wanted = new Set(this.paidTwiceRows.flatMap(([, first, second]) => [first, second]));
    for (const [id, row] of this.index.entries()) if (wanted.has(row)) idOf.set(row, id);
    for (const [hash, first, second] of this.paidTwiceRows) findings.add(`payment hash ${hash} was paid by both ${idOf.get(first)} and ${idOf.get(second)}`);
    return findings;
  }

  *rows(): Generator<WithdrawalView> {
    for (const [id, row] of this.index.entries()) {
      const status = this.status[row]!;
      const entryAccount = this.entryAccount.values[row]!;
      yield {
        id,
        hasItem: status !== NO_ITEM,
        status: status === NO_ITEM ? null : STATUSES[status]!,
        accountId: this.accounts.nameOf(this.account[row]!),
        amountMsat: this.amount[row]!,
        feeReserveMsat: this.reserve[row]!,
        feeMsat: amountOrNull(this.fee[row]!),
        debit: this.debit.view(row),
        feeReserve: this.feeReserve.view(row),
        feeRefund: this.feeRefund.view(row),
        refund: this.refund.view(row),
        entryAccountId: this.accounts.nameOf(entryAccount),
        entriesInSeveralAccounts: entryAccount === MIXED_ACCOUNTS,
      };
    }
  }
}
