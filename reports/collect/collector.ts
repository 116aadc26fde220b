import { InvoiceStatus } from '../../functions/lib/invoices/invoice';
import { LedgerEntryType } from '../../functions/lib/ledger/ledger-entry';
import { Entity } from '../../functions/lib/table/keys';
import { WithdrawalStatus } from '../../functions/lib/withdrawals/withdrawal';
import type { LedgerEntryRecord, ReportItem } from '../items';
import type { JournalWriter } from '../writers/journal';
import type { OpenItemsWriter } from '../writers/open-items';
import { AccountBook } from './accounts';
import { DailyBook } from './daily';
import { DeliveryBook } from './deliveries';
import { IdTable } from './interner';
import { InvoiceBook } from './invoices';
import { inPeriod, type Period } from './period';
import { Totals } from './totals';
import { TransferBook } from './transfers';
import { WithdrawalBook } from './withdrawals';

/**
 * Takes the table's items one at a time, in whatever order the export holds them, and keeps
 * only aggregates and compact per-object state:
 *   - per account: a few BigInt sums                       O(accounts)
 *   - per (UTC day, merchant): the daily row               O(days × merchants)
 *   - per invoice / withdrawal / transfer: one row of typed-array columns (about 100 bytes with
 *     its id), holding counts and first amounts of the entries that reference it, so each can
 *     be matched with its object whichever comes first   O(invoices + withdrawals + transfers)
 *     (unpaid invoices no deposit names take no row)
 *   - per troubled webhook delivery                        O(failing deliveries)
 * Ledger entries themselves are never kept: they go to the journal writer (bounded external
 * sort) and are forgotten.
 */
export class Collector {
  /** Account and merchant ids, numbered: bounded by accounts + merchants. */
  readonly ids = new IdTable();
  readonly totals = new Totals();
  readonly accounts: AccountBook;
  readonly invoices: InvoiceBook;
  readonly withdrawals: WithdrawalBook;
  readonly transfers: TransferBook;
  readonly daily: DailyBook;
  readonly deliveries = new DeliveryBook();
  readonly merchantNames = new Map<string, string>();
  readonly itemsByEntity = new Map<string, number>();
  merchantSeen = false;

  constructor(
    private readonly period: Period,
    private readonly merchantFilter: string | undefined,
    private readonly journal: JournalWriter,
    private readonly openItems: OpenItemsWriter,
  ) {
    this.accounts = new AccountBook(period, this.ids);
    this.invoices = new InvoiceBook(this.ids, this.totals);
    this.withdrawals = new WithdrawalBook(this.ids, this.totals);
    this.transfers = new TransferBook(this.ids);
    this.daily = new DailyBook(this.ids);
  }

  private inScope(merchantId: string): boolean {
    return this.merchantFilter === undefined || merchantId === this.merchantFilter;
  }

  private count(entity: string): void {
    this.itemsByEntity.set(entity, (this.itemsByEntity.get(entity) ?? 0) + 1);
  }

  /**
   * Takes one item. Synchronous for almost every item; it hands back a promise only when a
   * file write must be awaited (a journal chunk spilled, an open item's buffer flushed).
   */
  add(item: ReportItem): Promise<void> | undefined {
    switch (item.kind) {
      case Entity.ledgerEntry:
        this.count(item.kind);
        return this.inScope(item.record.merchant_id) ? this.onEntry(item.record) : undefined;
      case Entity.account: {
        this.count(item.kind);
        const account = item.record;
        if (!this.inScope(account.merchant_id)) return;
        this.accounts.onAccount(account);
        this.totals.accounts++;
        this.totals.balances += BigInt(account.balance_msat);
        return;
      }
      case Entity.invoice: {
        this.count(item.kind);
        const invoice = item.record;
        if (!this.inScope(invoice.merchant_id)) return;
        this.invoices.onInvoice(invoice);
        if (invoice.status === InvoiceStatus.paid && invoice.paid_at !== null && invoice.paid_at > invoice.expires_at) {
          return this.openItems.paidAfterExpiry({ ...invoice, paid_at: invoice.paid_at });
        }
        return;
      }
      case Entity.withdrawal: {
        this.count(item.kind);
        const withdrawal = item.record;
        if (!this.inScope(withdrawal.merchant_id)) return;
        this.withdrawals.onWithdrawal(withdrawal);
        const { completed_at: completedAt, fee_msat: feeMsat } = withdrawal;
        if (withdrawal.status === WithdrawalStatus.succeeded && completedAt !== null && feeMsat !== null && feeMsat > 0 && inPeriod(this.period, completedAt)) {
          this.daily.onFeePaid({ ...withdrawal, completed_at: completedAt, fee_msat: feeMsat });
        }
        return this.openItems.isStale(withdrawal) ? this.openItems.staleWithdrawal(withdrawal) : undefined;
      }
      case Entity.transfer:
        this.count(item.kind);
        if (this.inScope(item.record.merchant_id)) this.transfers.onTransfer(item.record);
        return;
      case Entity.merchant:
        this.count(item.kind);
        if (!this.inScope(item.record.id)) return;
        this.merchantSeen = true;
        this.merchantNames.set(this.ids.intern(item.record.id), item.record.name);
        return;
      case Entity.webhookEndpoint:
        this.count(item.kind);
        this.deliveries.onEndpoint(item.record);
        return;
      case Entity.webhookDelivery:
        this.count(item.kind);
        this.deliveries.onDelivery(item.record);
        return;
      case 'other':
        this.count(item.entity);
        return;
    }
  }

  private onEntry(entry: LedgerEntryRecord): Promise<void> | undefined {
    const amount = BigInt(entry.amount_msat);
    const entryInPeriod = inPeriod(this.period, entry.created_at);
    this.accounts.onEntry(entry, amount);
    const account = this.ids.numberOf(entry.account_id);
    this.totals.addEntry(entry.type, amount, entryInPeriod);
    switch (entry.type) {
      case LedgerEntryType.deposit:
        this.invoices.onDeposit(entry, account, amount);
        break;
      case LedgerEntryType.withdrawal:
      case LedgerEntryType.feeReserve:
      case LedgerEntryType.feeRefund:
      case LedgerEntryType.withdrawalRefund:
        this.withdrawals.onEntry(entry, account, amount);
        break;
      case LedgerEntryType.transferIn:
      case LedgerEntryType.transferOut:
        this.transfers.onEntry(entry, account, amount);
        break;
    }
    if (!entryInPeriod) return undefined;
    this.daily.onEntry(entry, amount);
    return this.journal.add(entry, amount);
  }
}
