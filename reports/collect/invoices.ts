import { InvoiceStatus } from '../../functions/lib/invoices/invoice';
import { Findings } from '../checks/check';
import type { InvoiceRecord, LedgerEntryRecord } from '../items';
import type { Interner } from './interner';
import { add, type Totals } from './totals';

/** Per invoice: its state and the deposits that reference it, as a few numbers. */
export class InvoiceState {
  hasItem = false;
  status: InvoiceStatus | null = null;
  accountId: string | null = null;
  amountPaidMsat: number | null = null;
  lateSettlementMsat: number | null = null;
  paidInternally = false;
  deposits = 0;
  /** The amounts of the first two deposits (a paid invoice has one, or two with a late settlement). */
  firstDepositMsat: number | null = null;
  secondDepositMsat: number | null = null;
  depositAccountId: string | null = null;
  depositsInOtherAccounts = 0;
}

export class InvoiceBook {
  readonly invoices = new Map<string, InvoiceState>();
  /** Deposit entries whose reference_id is not an invoice id. */
  readonly badReferences = new Findings();

  constructor(
    private readonly ids: Interner,
    private readonly totals: Totals,
  ) {}

  private state(invoiceId: string): InvoiceState {
    let state = this.invoices.get(invoiceId);
    if (!state) {
      state = new InvoiceState();
      this.invoices.set(invoiceId, state);
    }
    return state;
  }

  onInvoice(invoice: InvoiceRecord): void {
    const state = this.state(invoice.id);
    state.hasItem = true;
    state.status = invoice.status;
    state.accountId = this.ids.intern(invoice.account_id);
    state.amountPaidMsat = invoice.amount_paid_msat;
    state.lateSettlementMsat = invoice.late_settlement_msat ?? null;
    state.paidInternally = invoice.paid_internally;
    if (invoice.status === InvoiceStatus.paid && invoice.amount_paid_msat !== null) {
      add(this.totals.paidInvoices, BigInt(invoice.amount_paid_msat));
    }
    if (invoice.late_settlement_msat !== undefined) add(this.totals.lateSettlements, BigInt(invoice.late_settlement_msat));
  }

  onDeposit(entry: LedgerEntryRecord, accountId: string): void {
    if (!entry.reference_id.startsWith('inv_')) {
      this.badReferences.add(`deposit ${entry.id} in ${entry.account_id} references ${entry.reference_id}, not an invoice`);
      return;
    }
    const state = this.state(entry.reference_id);
    state.deposits++;
    if (state.deposits === 1) state.firstDepositMsat = entry.amount_msat;
    else if (state.deposits === 2) state.secondDepositMsat = entry.amount_msat;
    if (state.depositAccountId === null) state.depositAccountId = accountId;
    else if (state.depositAccountId !== accountId) state.depositsInOtherAccounts++;
  }
}
