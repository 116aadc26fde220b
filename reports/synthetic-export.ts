import { marshall } from '@aws-sdk/util-dynamodb';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGzip, type Gzip } from 'node:zlib';
import { newAccountItem } from '../functions/lib/accounts/account';
import { IdPrefix, newId } from '../functions/lib/ids';
import { newInvoiceItem, type InvoiceItem } from '../functions/lib/invoices/invoice';
import { LedgerEntryType, newLedgerEntryItem } from '../functions/lib/ledger/ledger-entry';
import { newMerchantItem } from '../functions/lib/merchants/merchant';
import { defaultFeeReserveMsat } from '../functions/lib/money';
import { Entity, keys } from '../functions/lib/table/keys';
import { newTransferItem } from '../functions/lib/transfers/transfer';
import { newWithdrawalItem, type WithdrawalItem } from '../functions/lib/withdrawals/withdrawal';

/*
 * A synthetic but consistent table export for benchmarks and large tests: every item is
 * built with the table's own item constructors, every balance is the sum of its ledger,
 * every object has exactly the entries the ledger operations would have written. Written
 * streaming, so a million entries need no more memory than a thousand.
 */

export interface SyntheticExportOptions {
  dir: string;
  ledgerEntries: number;
  /** @default 1000 */
  accounts?: number;
  /** Accounts are spread over this many merchants. @default accounts / 10 */
  merchants?: number;
  /** @default 8 */
  dataFiles?: number;
  /** @default 1 */
  seed?: number;
  /** The history spans these days before the export. @default 30 */
  days?: number;
  /** @default 2026-06-01T00:00:00Z */
  exportTime?: Date;
}

/** What the report must find. */
export interface SyntheticExpected {
  ledgerEntries: number;
  items: number;
  accounts: number;
  merchants: number;
  invoices: number;
  withdrawals: number;
  transfers: number;
  balancesMsat: bigint;
  depositsMsat: bigint;
  depositCount: number;
  withdrawalsOutMsat: bigint;
  feesPaidMsat: bigint;
  reservesHeldMsat: bigint;
  openWithdrawals: number;
}

/** mulberry32: small, fast, seeded; amounts are drawn as integers, never scaled floats. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  /** An integer in [min, max]. */
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return { next, int };
}

class DataFiles {
  private readonly streams: Gzip[] = [];
  private readonly buffers: string[] = [];
  private readonly done: Array<Promise<unknown>> = [];
  readonly counts: number[] = [];
  readonly names: string[] = [];

  constructor(folder: string, count: number) {
    for (let i = 0; i < count; i++) {
      const name = `${randomBytes(13).toString('hex').slice(0, 26)}.json.gz`;
      const gzip = createGzip({ level: 1 });
      const file = createWriteStream(join(folder, 'data', name));
      gzip.pipe(file);
      this.done.push(once(file, 'finish'));
      this.streams.push(gzip);
      this.buffers.push('');
      this.counts.push(0);
      this.names.push(name);
    }
  }

  async write(item: object): Promise<void> {
    const marshalled = marshall(item, { removeUndefinedValues: true });
    const pk = (item as { pk: string }).pk;
    // Like DynamoDB: one partition key's items all land in the same file.
    const file = createHash('md5').update(pk).digest().readUInt32BE(0) % this.streams.length;
    this.counts[file]!++;
    this.buffers[file] += `${JSON.stringify({ Item: marshalled })}\n`;
    if (this.buffers[file]!.length >= 256 * 1024) await this.flush(file);
  }

  private async flush(file: number): Promise<void> {
    const chunk = this.buffers[file]!;
    this.buffers[file] = '';
    if (!this.streams[file]!.write(chunk)) await once(this.streams[file]!, 'drain');
  }

  async close(): Promise<void> {
    for (let file = 0; file < this.streams.length; file++) {
      await this.flush(file);
      this.streams[file]!.end();
    }
    await Promise.all(this.done);
  }
}

interface SyntheticAccount {
  id: string;
  merchantIndex: number;
  balance: bigint;
}

export async function writeSyntheticExport(options: SyntheticExportOptions): Promise<{ folder: string; expected: SyntheticExpected }> {
  const accountCount = options.accounts ?? 1000;
  const merchantCount = options.merchants ?? Math.max(1, Math.floor(accountCount / 10));
  const exportTime = options.exportTime ?? new Date('2026-06-01T00:00:00.000Z');
  const days = options.days ?? 30;
  const rng = random(options.seed ?? 1);
  const exportId = `${String(exportTime.getTime()).padStart(14, '0')}-${randomBytes(4).toString('hex')}`;
  const folder = join(options.dir, 'AWSDynamoDB', exportId);
  await mkdir(join(folder, 'data'), { recursive: true });
  const files = new DataFiles(folder, options.dataFiles ?? 8);

  const startMs = exportTime.getTime() - days * 86_400_000;
  const createdAt = new Date(startMs - 86_400_000).toISOString();
  const merchants = Array.from({ length: merchantCount }, (_, index) => ({ id: newId(IdPrefix.merchant, startMs), index, accounts: [] as number[] }));
  const accounts: SyntheticAccount[] = Array.from({ length: accountCount }, (_, index) => {
    const merchantIndex = index % merchantCount;
    merchants[merchantIndex]!.accounts.push(index);
    return { id: newId(IdPrefix.account, startMs), merchantIndex, balance: 0n };
  });
  const expected: SyntheticExpected = {
    ledgerEntries: 0,
    items: 0,
    accounts: accountCount,
    merchants: merchantCount,
    invoices: 0,
    withdrawals: 0,
    transfers: 0,
    balancesMsat: 0n,
    depositsMsat: 0n,
    depositCount: 0,
    withdrawalsOutMsat: 0n,
    feesPaidMsat: 0n,
    reservesHeldMsat: 0n,
    openWithdrawals: 0,
  };
  const write = async (item: object) => {
    expected.items++;
    await files.write(item);
  };
  const entry = async (account: SyntheticAccount, type: LedgerEntryType, amountMsat: bigint, referenceId: string, atMs: number) => {
    expected.ledgerEntries++;
    account.balance += amountMsat;
    await write(
      newLedgerEntryItem({
        id: newId(IdPrefix.ledgerEntry, atMs),
        accountId: account.id,
        merchantId: merchants[account.merchantIndex]!.id,
        type,
        amountMsat: Number(amountMsat),
        referenceId,
        createdAt: new Date(atMs).toISOString(),
      }),
    );
  };
  const invoice = (account: SyntheticAccount, amountMsat: number, atMs: number): InvoiceItem => {
    const id = newId(IdPrefix.invoice, atMs);
    expected.invoices++;
    return newInvoiceItem({
      id,
      merchantId: merchants[account.merchantIndex]!.id,
      accountId: account.id,
      amountMsat,
      bolt11: `lnbcrt${amountMsat}n1synthetic${id}`,
      paymentHash: randomBytes(32).toString('hex'),
      expiresAt: new Date(atMs + 3_600_000).toISOString(),
      checkoutUrl: `https://pay.example/checkout/${id}`,
      createdAt: new Date(atMs - 60_000).toISOString(),
    });
  };
  const withdrawal = (account: SyntheticAccount, amountMsat: number, reserveMsat: number, atMs: number): WithdrawalItem => {
    expected.withdrawals++;
    return newWithdrawalItem({
      id: newId(IdPrefix.withdrawal, atMs),
      merchantId: merchants[account.merchantIndex]!.id,
      accountId: account.id,
      amountMsat,
      feeReserveMsat: reserveMsat,
      paymentHash: randomBytes(32).toString('hex'),
      bolt11: 'lnbcrt1synthetic',
      createdAt: new Date(atMs).toISOString(),
    });
  };
  const pick = () => accounts[rng.int(0, accounts.length - 1)]!;

  const target = options.ledgerEntries;
  // Spread the history evenly over the days, oldest first (an operation writes 1.7 entries on
  // average), and end it two hours before the export: every open withdrawal is then over an hour old.
  const endMs = exportTime.getTime() - 2 * 3_600_000;
  const stepMs = Math.max(1, Math.floor((endMs - startMs) / Math.max(1, Math.ceil(target / 1.7))));
  let nowMs = startMs;

  while (expected.ledgerEntries < target) {
    nowMs = Math.min(nowMs + stepMs, endMs);
    const left = target - expected.ledgerEntries;
    const roll = rng.next();
    const account = pick();

    if (roll < 0.22 && left >= 3) {
      // Succeeded payout: withdrawal + fee_reserve, then fee_refund of what the fee left over.
      const amount = rng.int(1_000, 2_000_000);
      const reserve = defaultFeeReserveMsat(amount);
      if (account.balance >= BigInt(amount + reserve)) {
        const fee = rng.int(0, reserve);
        const item = withdrawal(account, amount, reserve, nowMs);
        await entry(account, LedgerEntryType.withdrawal, BigInt(-amount), item.id, nowMs);
        await entry(account, LedgerEntryType.feeReserve, BigInt(-reserve), item.id, nowMs);
        if (reserve - fee > 0) await entry(account, LedgerEntryType.feeRefund, BigInt(reserve - fee), item.id, nowMs + 30_000);
        await write({ ...item, status: 'succeeded', fee_msat: fee, preimage: randomBytes(32).toString('hex'), completed_at: new Date(nowMs + 30_000).toISOString(), gsi2pk: undefined, gsi2sk: undefined });
        expected.withdrawalsOutMsat += BigInt(amount);
        expected.feesPaidMsat += BigInt(fee);
        continue;
      }
    } else if (roll < 0.27 && left >= 4) {
      // Failed payout: everything comes back.
      const amount = rng.int(1_000, 1_000_000);
      const reserve = defaultFeeReserveMsat(amount);
      if (account.balance >= BigInt(amount + reserve)) {
        const item = withdrawal(account, amount, reserve, nowMs);
        await entry(account, LedgerEntryType.withdrawal, BigInt(-amount), item.id, nowMs);
        await entry(account, LedgerEntryType.feeReserve, BigInt(-reserve), item.id, nowMs);
        await entry(account, LedgerEntryType.withdrawalRefund, BigInt(amount), item.id, nowMs + 60_000);
        await entry(account, LedgerEntryType.feeRefund, BigInt(reserve), item.id, nowMs + 60_000);
        await write({ ...item, status: 'failed', failure_reason: 'no_route', completed_at: new Date(nowMs + 60_000).toISOString(), gsi2pk: undefined, gsi2sk: undefined });
        continue;
      }
    } else if (roll < 0.275 && left >= 2) {
      // Still under way at export time.
      const amount = rng.int(1_000, 500_000);
      const reserve = defaultFeeReserveMsat(amount);
      if (account.balance >= BigInt(amount + reserve)) {
        const item = withdrawal(account, amount, reserve, nowMs);
        await entry(account, LedgerEntryType.withdrawal, BigInt(-amount), item.id, nowMs);
        await entry(account, LedgerEntryType.feeReserve, BigInt(-reserve), item.id, nowMs);
        await write({ ...item, status: rng.next() < 0.5 ? 'pending' : 'in_flight' });
        expected.withdrawalsOutMsat += BigInt(amount);
        expected.reservesHeldMsat += BigInt(reserve);
        expected.openWithdrawals++;
        continue;
      }
    } else if (roll < 0.55 && left >= 2) {
      // Transfer between two accounts of one merchant.
      const siblings = merchants[account.merchantIndex]!.accounts;
      const to = accounts[siblings[rng.int(0, siblings.length - 1)]!]!;
      const amount = rng.int(1, 300_000);
      if (to !== account && account.balance >= BigInt(amount)) {
        const id = newId(IdPrefix.transfer, nowMs);
        expected.transfers++;
        await entry(account, LedgerEntryType.transferOut, BigInt(-amount), id, nowMs);
        await entry(to, LedgerEntryType.transferIn, BigInt(amount), id, nowMs);
        await write(
          newTransferItem({ id, merchantId: merchants[account.merchantIndex]!.id, fromAccountId: account.id, toAccountId: to.id, amountMsat: amount, createdAt: new Date(nowMs).toISOString() }),
        );
        continue;
      }
    } else if (roll < 0.58 && left >= 2) {
      // Internal payment of another account's invoice: no fee, no Lightning.
      const payee = pick();
      const amount = rng.int(1_000, 200_000);
      if (payee !== account && account.balance >= BigInt(amount)) {
        const paid = invoice(payee, amount, nowMs);
        const item = withdrawal(account, amount, 0, nowMs);
        await entry(account, LedgerEntryType.withdrawal, BigInt(-amount), item.id, nowMs);
        await entry(payee, LedgerEntryType.deposit, BigInt(amount), paid.id, nowMs);
        const at = new Date(nowMs).toISOString();
        await write({ ...item, status: 'succeeded', fee_msat: 0, internal: true, invoice_id: paid.id, completed_at: at, gsi2pk: undefined, gsi2sk: undefined });
        await write({ ...paid, status: 'paid', amount_paid_msat: amount, paid_at: at, paid_internally: true, gsi2pk: undefined, gsi2sk: undefined });
        expected.withdrawalsOutMsat += BigInt(amount);
        expected.depositsMsat += BigInt(amount);
        expected.depositCount++;
        continue;
      }
    }
    // Deposit: a paid invoice (sometimes overpaid), the only way money arrives.
    const amount = rng.int(1_000, 5_000_000);
    const paidMsat = rng.next() < 0.05 ? amount + rng.int(1, 1_000) : amount;
    const paid = invoice(account, amount, nowMs);
    await entry(account, LedgerEntryType.deposit, BigInt(paidMsat), paid.id, nowMs);
    await write({ ...paid, status: 'paid', amount_paid_msat: paidMsat, paid_at: new Date(nowMs).toISOString(), gsi2pk: undefined, gsi2sk: undefined });
    expected.depositsMsat += BigInt(paidMsat);
    expected.depositCount++;
    if (rng.next() < 0.05) {
      // An invoice nobody paid.
      await write({ ...invoice(account, rng.int(1_000, 100_000), nowMs), status: 'expired', gsi2pk: undefined, gsi2sk: undefined });
    }
  }

  for (const merchant of merchants) {
    await write(newMerchantItem({ id: merchant.id, name: `Merchant ${merchant.index}`, defaultAccountId: accounts[merchant.accounts[0]!]!.id, secretKeyHash: 'x'.repeat(64), invoiceKeyHash: 'y'.repeat(64), createdAt }));
    await write({ ...keys.apiKey(createHash('sha256').update(merchant.id).digest('hex')), entity: Entity.apiKey, merchant_id: merchant.id, kind: 'secret', created_at: createdAt });
  }
  for (const account of accounts) {
    await write({ ...newAccountItem({ id: account.id, merchantId: merchants[account.merchantIndex]!.id, label: 'synthetic', createdAt }), balance_msat: Number(account.balance) });
    expected.balancesMsat += account.balance;
  }
  await files.close();

  const manifest = files.names
    .map((name, index) => JSON.stringify({ itemCount: files.counts[index], md5Checksum: '', etag: '', dataFileS3Key: `exports/AWSDynamoDB/${exportId}/data/${name}` }) + '\n')
    .join('');
  await writeFile(join(folder, 'manifest-files.json'), manifest);
  await writeFile(
    join(folder, 'manifest-summary.json'),
    JSON.stringify({
      version: '2020-06-30',
      exportArn: `arn:aws:dynamodb:us-east-1:123456789012:table/synthetic/export/${exportId}`,
      startTime: exportTime.toISOString(),
      endTime: exportTime.toISOString(),
      tableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/synthetic',
      exportTime: exportTime.toISOString(),
      s3Bucket: 'synthetic',
      s3Prefix: 'exports',
      s3SseAlgorithm: 'AES256',
      s3SseKmsKeyId: null,
      manifestFilesS3Key: `exports/AWSDynamoDB/${exportId}/manifest-files.json`,
      billedSizeBytes: 0,
      itemCount: expected.items,
      outputFormat: 'DYNAMODB_JSON',
      exportType: 'FULL_EXPORT',
    }),
  );
  return { folder, expected };
}
