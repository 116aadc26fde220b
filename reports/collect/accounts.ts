import type { AccountRecord, LedgerEntryRecord } from '../items';
import type { IdTable } from './interner';
import { beforeFrom, beforeTo, type Period } from './period';

/** What the report keeps per account: a handful of numbers, whatever the number of entries. */
export class AccountState {
  hasItem = false;
  merchantId: string | null = null;
  balanceMsat = 0n;
  externalId: string | null = null;
  label: string | null = null;
  /** Σ of every entry of the account: must equal balance_msat. */
  ledgerSumMsat = 0n;
  /** Σ of the entries before the period: the balance the period opens with. */
  openingMsat = 0n;
  /** Σ of the entries before the period's end: the balance it closes with. */
  closingMsat = 0n;
  entries = 0;
  /** The merchant the first entry named; every other entry must name the same one. */
  entryMerchantId: string | null = null;
  entriesOfAnotherMerchant = 0;
}

export class AccountBook {
  readonly accounts = new Map<string, AccountState>();

  constructor(
    private readonly period: Period,
    private readonly ids: IdTable,
  ) {}

  private state(accountId: string): AccountState {
    let state = this.accounts.get(accountId);
    if (!state) {
      state = new AccountState();
      this.accounts.set(this.ids.intern(accountId), state);
    }
    return state;
  }

  onAccount(account: AccountRecord): void {
    const state = this.state(account.id);
    state.hasItem = true;
    state.merchantId = this.ids.intern(account.merchant_id);
    state.balanceMsat = BigInt(account.balance_msat);
    state.externalId = account.external_id;
    state.label = account.label;
  }

  onEntry(entry: LedgerEntryRecord, amountMsat: bigint): void {
    const state = this.state(entry.account_id);
    state.entries++;
    state.ledgerSumMsat += amountMsat;
    if (beforeFrom(this.period, entry.created_at)) state.openingMsat += amountMsat;
    if (beforeTo(this.period, entry.created_at)) state.closingMsat += amountMsat;
    if (state.entryMerchantId === null) state.entryMerchantId = this.ids.intern(entry.merchant_id);
    else if (state.entryMerchantId !== entry.merchant_id) state.entriesOfAnotherMerchant++;
  }
}
