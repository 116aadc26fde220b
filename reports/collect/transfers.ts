import { LedgerEntryType } from '../../functions/lib/ledger/ledger-entry';
import { Findings } from '../checks/check';
import type { LedgerEntryRecord, TransferRecord } from '../items';
import { AccountColumn, grown, NO_AMOUNT, RowIndex, TallyColumns, type Tally } from './columns';
import type { IdTable } from './interner';

export interface TransferView {
  id: string;
  hasItem: boolean;
  amountMsat: bigint;
  fromAccountId: string | null;
  toAccountId: string | null;
  out: Tally;
  in: Tally;
  outAccountId: string | null;
  inAccountId: string | null;
}

/** Per transfer, in columns: its amount and accounts, and the two entries that reference it. */
export class TransferBook {
  private readonly index = new RowIndex();
  private amount = new BigInt64Array(0);
  private from = new Int32Array(0);
  private to = new Int32Array(0);
  private readonly out = new TallyColumns();
  private readonly in = new TallyColumns();
  private readonly outAccount = new AccountColumn();
  private readonly inAccount = new AccountColumn();
  readonly badReferences = new Findings();

  constructor(private readonly accounts: IdTable) {}

  private readonly grow = (capacity: number) => {
    this.amount = grown(this.amount, capacity, NO_AMOUNT);
    this.from = grown(this.from, capacity, -1);
    this.to = grown(this.to, capacity, -1);
    for (const tally of [this.out, this.in]) tally.grow(capacity);
    for (const account of [this.outAccount, this.inAccount]) account.grow(capacity);
  };

  get size(): number {
    return this.index.size;
  }

  onTransfer(transfer: TransferRecord): void {
    const row = this.index.rowOf(transfer.id, this.grow);
    this.amount[row] = BigInt(transfer.amount_msat);
    this.from[row] = this.accounts.numberOf(transfer.from_account_id);
    this.to[row] = this.accounts.numberOf(transfer.to_account_id);
  }

  onEntry(entry: LedgerEntryRecord, account: number, amountMsat: bigint): void {
    if (!entry.reference_id.startsWith('tr_')) {
      this.badReferences.add(`${entry.type} ${entry.id} in ${entry.account_id} references ${entry.reference_id}, not a transfer`);
      return;
    }
    const row = this.index.rowOf(entry.reference_id, this.grow);
    if (entry.type === LedgerEntryType.transferOut) {
      this.out.note(row, amountMsat);
      this.outAccount.note(row, account);
    } else {
      this.in.note(row, amountMsat);
      this.inAccount.note(row, account);
    }
  }

  *rows(): Generator<TransferView> {
    for (const [id, row] of this.index.entries()) {
      const amount = this.amount[row]!;
      yield {
        id,
        hasItem: amount !== NO_AMOUNT,
        amountMsat: amount,
        fromAccountId: this.accounts.nameOf(this.from[row]!),
        toAccountId: this.accounts.nameOf(this.to[row]!),
        out: this.out.view(row),
        in: this.in.view(row),
        outAccountId: this.accounts.nameOf(this.outAccount.values[row]!),
        inAccountId: this.accounts.nameOf(this.inAccount.values[row]!),
      };
    }
  }
}
