import { LedgerEntryType } from '../../functions/lib/ledger/ledger-entry';
import { Findings } from '../checks/check';
import type { LedgerEntryRecord, TransferRecord } from '../items';
import type { Interner } from './interner';
import { EntryTally } from './withdrawals';

export class TransferState {
  hasItem = false;
  amountMsat = 0;
  fromAccountId: string | null = null;
  toAccountId: string | null = null;
  readonly out = new EntryTally();
  readonly in = new EntryTally();
  outAccountId: string | null = null;
  inAccountId: string | null = null;
}

export class TransferBook {
  readonly transfers = new Map<string, TransferState>();
  readonly badReferences = new Findings();

  constructor(private readonly ids: Interner) {}

  private state(transferId: string): TransferState {
    let state = this.transfers.get(transferId);
    if (!state) {
      state = new TransferState();
      this.transfers.set(transferId, state);
    }
    return state;
  }

  onTransfer(transfer: TransferRecord): void {
    const state = this.state(transfer.id);
    state.hasItem = true;
    state.amountMsat = transfer.amount_msat;
    state.fromAccountId = this.ids.intern(transfer.from_account_id);
    state.toAccountId = this.ids.intern(transfer.to_account_id);
  }

  onEntry(entry: LedgerEntryRecord, accountId: string): void {
    if (!entry.reference_id.startsWith('tr_')) {
      this.badReferences.add(`${entry.type} ${entry.id} in ${entry.account_id} references ${entry.reference_id}, not a transfer`);
      return;
    }
    const state = this.state(entry.reference_id);
    if (entry.type === LedgerEntryType.transferOut) {
      state.out.note(entry.amount_msat);
      state.outAccountId ??= accountId;
    } else {
      state.in.note(entry.amount_msat);
      state.inAccountId ??= accountId;
    }
  }
}
