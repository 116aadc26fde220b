import { LedgerEntryType } from '../../functions/lib/ledger/ledger-entry';
import { WithdrawalStatus } from '../../functions/lib/withdrawals/withdrawal';
import { Findings } from '../checks/check';
import type { LedgerEntryRecord, WithdrawalRecord } from '../items';
import type { Interner } from './interner';
import { add, type Totals } from './totals';

/** One kind of entry referencing a withdrawal: how many, and the first one's amount. */
export class EntryTally {
  count = 0;
  firstMsat: number | null = null;

  note(amountMsat: number): void {
    this.count++;
    if (this.count === 1) this.firstMsat = amountMsat;
  }
}

/** Per withdrawal: its state and the entries that reference it. */
export class WithdrawalState {
  hasItem = false;
  status: WithdrawalStatus | null = null;
  accountId: string | null = null;
  amountMsat = 0;
  feeReserveMsat = 0;
  feeMsat: number | null = null;
  internal = false;
  readonly debit = new EntryTally();
  readonly feeReserve = new EntryTally();
  readonly feeRefund = new EntryTally();
  readonly refund = new EntryTally();
  entryAccountId: string | null = null;
  entriesInOtherAccounts = 0;
}

export const isOpen = (status: WithdrawalStatus | null) => status === WithdrawalStatus.pending || status === WithdrawalStatus.inFlight;

export class WithdrawalBook {
  readonly withdrawals = new Map<string, WithdrawalState>();
  /** payment_hash → the succeeded withdrawal that paid it. */
  private readonly succeededByHash = new Map<string, string>();
  /** A second succeeded withdrawal of a hash: the service paid it twice. */
  readonly paidTwice = new Findings();
  readonly badReferences = new Findings();
  succeededHashes = 0;

  constructor(
    private readonly ids: Interner,
    private readonly totals: Totals,
  ) {}

  private state(withdrawalId: string): WithdrawalState {
    let state = this.withdrawals.get(withdrawalId);
    if (!state) {
      state = new WithdrawalState();
      this.withdrawals.set(withdrawalId, state);
    }
    return state;
  }

  onWithdrawal(withdrawal: WithdrawalRecord): void {
    const state = this.state(withdrawal.id);
    state.hasItem = true;
    state.status = withdrawal.status;
    state.accountId = this.ids.intern(withdrawal.account_id);
    state.amountMsat = withdrawal.amount_msat;
    state.feeReserveMsat = withdrawal.fee_reserve_msat;
    state.feeMsat = withdrawal.fee_msat;
    state.internal = withdrawal.internal;

    const amount = BigInt(withdrawal.amount_msat);
    const reserve = BigInt(withdrawal.fee_reserve_msat);
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
    // succeeded
    add(this.totals.feesPaid, BigInt(withdrawal.fee_msat ?? 0));
    this.succeededHashes++;
    const earlier = this.succeededByHash.get(withdrawal.payment_hash);
    if (earlier === undefined) this.succeededByHash.set(withdrawal.payment_hash, withdrawal.id);
    else this.paidTwice.add(`payment hash ${withdrawal.payment_hash} was paid by both ${earlier} and ${withdrawal.id}`);
  }

  onEntry(entry: LedgerEntryRecord, accountId: string): void {
    if (!entry.reference_id.startsWith('wd_')) {
      this.badReferences.add(`${entry.type} ${entry.id} in ${entry.account_id} references ${entry.reference_id}, not a withdrawal`);
      return;
    }
    const state = this.state(entry.reference_id);
    switch (entry.type) {
      case LedgerEntryType.withdrawal:
        state.debit.note(entry.amount_msat);
        break;
      case LedgerEntryType.feeReserve:
        state.feeReserve.note(entry.amount_msat);
        break;
      case LedgerEntryType.feeRefund:
        state.feeRefund.note(entry.amount_msat);
        break;
      case LedgerEntryType.withdrawalRefund:
        state.refund.note(entry.amount_msat);
        break;
      default:
        throw new Error(`not a withdrawal entry: ${entry.type}`);
    }
    if (state.entryAccountId === null) state.entryAccountId = accountId;
    else if (state.entryAccountId !== accountId) state.entriesInOtherAccounts++;
  }
}
