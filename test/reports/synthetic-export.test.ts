import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckStatus } from '../../reports/checks/check';
import { runReport, type ReportResult } from '../../reports/report';
import { writeSyntheticExport, type SyntheticExpected } from '../../reports/synthetic-export';
import { csvObjects } from './csv-parse';

/** The benchmark's generator at test size: 20,000 entries over 1,000 accounts. */
describe('report on a synthetic export of 20,000 ledger entries', () => {
  let dir: string;
  let expected: SyntheticExpected;
  let result: ReportResult;
  const outDir = () => join(dir, 'report');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-synthetic-'));
    ({ expected } = await writeSyntheticExport({ dir, ledgerEntries: 20_000, accounts: 1_000, seed: 42 }));
    // Small sort chunks: the journal is merged from 7 sorted runs on disk, as a large export would be.
    result = await runReport({ source: { kind: 'export-dir', dir }, outDir: outDir(), quiet: true }, { journalChunkRows: 3_000 });
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes every check and matches the generated ledger to the msat', () => {
    expect(result.exitCode).toBe(0);
    expect(result.checks.filter((check) => check.status === CheckStatus.fail)).toEqual([]);
    expect(result.itemsRead).toBe(expected.items);
    expect(result.totals.accounts).toBe(1_000);
    expect(result.totals.balances).toBe(expected.balancesMsat);
    expect(result.totals.ledgerNet()).toBe(expected.balancesMsat);
    expect(result.totals.ledgerAllTime.deposit).toEqual({ count: expected.depositCount, msat: expected.depositsMsat });
    expect(result.totals.withdrawalsOut.msat).toBe(expected.withdrawalsOutMsat);
    expect(result.totals.feesPaid.msat).toBe(expected.feesPaidMsat);
    expect(result.totals.reservesHeld.msat).toBe(expected.reservesHeldMsat);
    expect(result.openItems.withdrawal_not_final).toBe(expected.openWithdrawals);
  });

  it('merges the sorted runs into one journal of every entry in time order', async () => {
    const journal = csvObjects(await readFile(join(outDir(), 'journal.csv'), 'utf8'));

    expect(journal).toHaveLength(20_000);
    expect(new Set(journal.map((row) => row.entry_id)).size).toBe(20_000);
    for (let i = 1; i < journal.length; i++) {
      const previous = `${journal[i - 1]!.created_at} ${journal[i - 1]!.entry_id}`;
      const current = `${journal[i]!.created_at} ${journal[i]!.entry_id}`;
      expect(previous < current, `row ${i + 1} out of order`).toBe(true);
    }
    expect(journal.reduce((sum, row) => sum + BigInt(row.amount_msat!), 0n)).toBe(expected.balancesMsat);
  });

  it('writes a balance row per account and daily rows that add up to the balances', async () => {
    const balances = csvObjects(await readFile(join(outDir(), 'balances.csv'), 'utf8'));
    const daily = csvObjects(await readFile(join(outDir(), 'daily.csv'), 'utf8'));

    expect(balances).toHaveLength(1_000);
    expect(balances.every((row) => row.status === 'ok' && row.difference_msat === '0')).toBe(true);
    expect(balances.reduce((sum, row) => sum + BigInt(row.balance_msat!), 0n)).toBe(expected.balancesMsat);
    expect(new Set(daily.map((row) => row.date)).size).toBeGreaterThanOrEqual(29);
    expect(daily.reduce((sum, row) => sum + BigInt(row.net_msat!), 0n)).toBe(expected.balancesMsat);
    expect(daily.reduce((sum, row) => sum + BigInt(row.fees_msat!), 0n)).toBe(expected.feesPaidMsat);
    for (const row of daily) {
      const net = BigInt(row.deposits_msat!) - BigInt(row.withdrawals_msat!) + BigInt(row.refunds_msat!) - BigInt(row.fee_reserves_msat!) + BigInt(row.fee_refunds_msat!);
      expect(net, `${row.date} ${row.merchant_id}`).toBe(BigInt(row.net_msat!));
    }
  });
});
