import { InvoiceStatus } from '../../functions/lib/invoices/invoice';
import { Findings } from '../checks/check';
import type { InvoiceRecord, LedgerEntryRecord } from '../items';
import { AccountColumn, amountOrNone, amountOrNull, grown, MIXED_ACCOUNTS, NO_AMOUNT, RowIndex, TallyColumns } from './columns';
import type { IdTable } from './interner';
import { add, type Totals } from './totals';

const STATUS_CODES: Record<InvoiceStatus, number> = { pending: 0, paid: 1, expired: 2 };
const STATUSES: InvoiceStatus[] = ['pending', 'paid', 'expired'];
const NO_ITEM = -1;

/** One invoice as the checks see it. */
export interface InvoiceView {
  id: string;
  hasItem: boolean;
  status: InvoiceStatus | null;
  accountId: string | null;
  amountPaidMsat: bigint | null;
  lateSettlementMsat: bigint | null;
  paidInternally: boolean;
  deposits: number;
  /** The first two deposits' amounts (a paid invoice has one, or two with a late settlement). */
  depositsMsat: [bigint | null, bigint | null];
  depositAccountId: string | null;
  depositsInSeveralAccounts: boolean;
}

/**
 * Per invoice, in columns: its state and the deposits that reference it.
 *
 * An unpaid invoice (pending or expired, no late settlement) that no deposit has referenced
 * yet takes no row: abandoned checkouts can outnumber everything else. A deposit that turns
 * up for it later opens a row without an item, which the check reports ("missing or not
 * paid") just as it would report the wrong status.
 */
export class InvoiceBook {
  private readonly index = new RowIndex();
  private status = new Int8Array(0);
  private paidInternally = new Uint8Array(0);
  private amountPaid = new BigInt64Array(0);
  private late = new BigInt64Array(0);
  private account = new Int32Array(0);
  private secondDeposit = new BigInt64Array(0);
  private readonly deposits = new TallyColumns();
  private readonly depositAccount = new AccountColumn();
  /** Deposit entries whose reference_id is not an invoice id. */
  readonly badReferences = new Findings();
  items = 0;

  constructor(
    private readonly accounts: IdTable,
    private readonly totals: Totals,
  ) {}

  private readonly grow = (capacity: number) => {
    this.status = grown(this.status, capacity, NO_ITEM);
    this.paidInternally = grown(this.paidInternally, capacity);
    this.amountPaid = grown(this.amountPaid, capacity, NO_AMOUNT);
    this.late = grown(this.late, capacity, NO_AMOUNT);
    this.account = grown(this.account, capacity, -1);
    this.secondDeposit = grown(this.secondDeposit, capacity, NO_AMOUNT);
    this.deposits.grow(capacity);
    this.depositAccount.grow(capacity);
  };

  onInvoice(invoice: InvoiceRecord): void {
    this.items++;
    const paid = invoice.status === InvoiceStatus.paid;
    if (paid && invoice.amount_paid_msat !== null) add(this.totals.paidInvoices, BigInt(invoice.amount_paid_msat));
    if (invoice.late_settlement_msat !== undefined) add(this.totals.lateSettlements, BigInt(invoice.late_settlement_msat));
    if (!paid && invoice.late_settlement_msat === undefined && !this.index.has(invoice.id)) return;

    const row = this.index.rowOf(invoice.id, this.grow);
    this.status[row] = STATUS_CODES[invoice.status];
    this.paidInternally[row] = invoice.paid_internally ? 1 : 0;
    this.amountPaid[row] = amountOrNone(invoice.amount_paid_msat);
    this.late[row] = amountOrNone(invoice.late_settlement_msat);
    this.account[row] = this.accounts.numberOf(invoice.account_id);
  }

  onDeposit(entry: LedgerEntryRecord, account: number, amountMsat: bigint): void {
    if (!entry.reference_id.startsWith('inv_')) {
      this.badReferences.add(`deposit ${entry.id} in ${entry.account_id} references ${entry.reference_id}, not an invoice`);
      return;
    }
    const row = this.index.rowOf(entry.reference_id, this.grow);
    if (this.deposits.count[row] === 1) this.secondDeposit[row] = amountMsat;
    this.deposits.note(row, amountMsat);
    this.depositAccount.note(row, account);
  }

  /** Invoices examined: every invoice item, and every invoice id a deposit named without one. */
  get checked(): number {
    let orphans = 0;
    for (const [, row] of this.index.entries()) if (this.status[row] === NO_ITEM) orphans++;
    return this.items + orphans;
  }

  *rows(): Generator<InvoiceView> {
    for (const [id, row] of this.index.entries()) {
      const status = this.status[row]!;
      const depositAccount = this.depositAccount.values[row]!;
      yield {
        id,
        hasItem: status !== NO_ITEM,
        status: status === NO_ITEM ? null : STATUSES[status]!,
        accountId: this.accounts.nameOf(this.account[row]!),
        amountPaidMsat: amountOrNull(this.amountPaid[row]!),
        lateSettlementMsat: amountOrNull(this.late[row]!),
        paidInternally: this.paidInternally[row] === 1,
        deposits: this.deposits.count[row]!,
        depositsMsat: [amountOrNull(this.deposits.first[row]!), amountOrNull(this.secondDeposit[row]!)],
        depositAccountId: this.accounts.nameOf(depositAccount),
        depositsInSeveralAccounts: depositAccount === MIXED_ACCOUNTS,
      };
    }
  }
}
