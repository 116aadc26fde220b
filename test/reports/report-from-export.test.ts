import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDynamoDbClient } from '../../infra/local/dynamodb-local';
import { allLedgerEntries } from '../../functions/lib/accounts/repository';
import { formatBtc } from '../../reports/btc';
import { CheckStatus } from '../../reports/checks/check';
import { runReport } from '../../reports/report';
import type { ReportOptions } from '../../reports/args';
import { writeExportOfTable } from '../support/export-fixture';
import { readAccount } from '../support/ledger-fixtures';
import { dynamoDbEndpoint, useTestTable } from '../support/table';
import { csvObjects } from './csv-parse';
import { DAY1, DAY2, DAY3, EXPORT_TIME, runLedgerScenario, type Scenario } from './ledger-scenario';

describe('finance report on an export of a real ledger', () => {
  const table = useTestTable();
  let scenario: Scenario;
  let workDir: string;
  let exportDir: string;
  const client = () => localDynamoDbClient(dynamoDbEndpoint());

  beforeAll(async () => {
    scenario = await runLedgerScenario(table);
    workDir = await mkdtemp(join(tmpdir(), 'report-export-'));
    exportDir = join(workDir, 'export');
    const dynamoDb = client();
    await writeExportOfTable({ client: dynamoDb, tableName: table.name, dir: exportDir, exportTime: EXPORT_TIME });
    dynamoDb.destroy();
  });

  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  const options = (out: string, extra: Partial<ReportOptions> = {}): ReportOptions => ({
    source: { kind: 'export-dir', dir: exportDir },
    outDir: join(workDir, out),
    quiet: true,
    ...extra,
  });
  const readCsv = async (out: string, file: string) => csvObjects(await readFile(join(workDir, out, file), 'utf8'));

  it('passes every check and finds the totals of the ledger to the msat', async () => {
    const result = await runReport(options('all'));

    expect(result.exitCode).toBe(0);
    expect(result.checks.filter((check) => check.status === CheckStatus.fail)).toEqual([]);
    expect(result.checks.find((check) => check.id === 'export-complete')?.status).toBe(CheckStatus.pass);
    const { expected } = scenario;
    const balanceSum = Object.values(expected.balances).reduce((sum, balance) => sum + BigInt(balance), 0n);
    expect(result.totals.balances).toBe(balanceSum);
    expect(result.totals.ledgerNet()).toBe(balanceSum);
    expect(result.totals.ledgerAllTime.deposit).toEqual({ count: expected.depositCount, msat: BigInt(expected.deposits) });
    expect(result.totals.withdrawalsOut.msat).toBe(BigInt(expected.withdrawalsNotFailed));
    expect(result.totals.feesPaid.msat).toBe(BigInt(expected.feesPaid));
    expect(result.totals.reservesHeld.msat).toBe(BigInt(expected.reservesHeld));
    expect(result.asOf).toBe(EXPORT_TIME.toISOString());
    const reconciliation = await readFile(join(workDir, 'all', 'reconciliation.md'), 'utf8');
    expect(reconciliation).toContain('**Result: PASS**');
    expect(reconciliation).toContain(`| Σ balances | ${balanceSum} msat | ${formatBtc(balanceSum)} BTC |`);
  });

  it('writes one balance row per account that matches the table, with a zero difference', async () => {
    await runReport(options('balances'));
    const rows = await readCsv('balances', 'balances.csv');

    expect(rows).toHaveLength(3);
    for (const row of rows) {
      const account = await readAccount(table, row.account_id!);
      expect(row.balance_msat).toBe(String(account.balance_msat));
      expect(row.balance_msat).toBe(String(scenario.expected.balances[row.account_id!]));
      expect(row.ledger_sum_msat).toBe(row.balance_msat);
      expect(row.difference_msat).toBe('0');
      expect(row.difference_btc).toBe('0.00000000000');
      expect(row.balance_btc).toBe(formatBtc(BigInt(row.balance_msat!)));
      expect(row.status).toBe('ok');
    }
    const second = rows.find((row) => row.account_id === scenario.shop.secondAccountId)!;
    expect(second).toMatchObject({ merchant_name: 'Shop, "Best" Ltd', external_id: 'tg:1,2', label: 'tips\nbot', balance_btc: '0.00000509000' });
  });

  it('journals every ledger entry once, in time order, summing to the balances', async () => {
    const result = await runReport(options('journal', { }));
    const rows = await readCsv('journal', 'journal.csv');

    const inTable = (
      await Promise.all([scenario.shop.defaultAccountId, scenario.shop.secondAccountId, scenario.other.defaultAccountId].map((id) => allLedgerEntries(table, id)))
    ).flat();
    expect(rows).toHaveLength(scenario.expected.ledgerEntries);
    expect(inTable).toHaveLength(scenario.expected.ledgerEntries);
    expect(rows.map((row) => row.entry_id).sort()).toEqual(inTable.map((entry) => entry.id).sort());
    const keys = rows.map((row) => `${row.created_at} ${row.entry_id}`);
    expect(keys).toEqual([...keys].sort());
    for (const row of rows) {
      const entry = inTable.find((candidate) => candidate.id === row.entry_id)!;
      expect(row).toEqual({
        created_at: entry.created_at,
        entry_id: entry.id,
        merchant_id: entry.merchant_id,
        account_id: entry.account_id,
        type: entry.type,
        amount_msat: String(entry.amount_msat),
        amount_btc: formatBtc(BigInt(entry.amount_msat)),
        reference_id: entry.reference_id,
      });
    }
    expect(rows.reduce((sum, row) => sum + BigInt(row.amount_msat!), 0n)).toBe(result.totals.balances);
  });

  it('sums deposits, withdrawals, refunds, fees and transfers per merchant and UTC day', async () => {
    await runReport(options('daily'));
    const rows = await readCsv('daily', 'daily.csv');
    const row = (day: string, merchantId: string) => rows.find((candidate) => candidate.date === day && candidate.merchant_id === merchantId);

    expect(rows.map((candidate) => candidate.date)).toEqual([...rows.map((candidate) => candidate.date)].sort());
    expect(row(DAY1, scenario.shop.merchantId)).toMatchObject({
      deposits_count: '2',
      deposits_msat: '1500000',
      withdrawals_count: '1',
      withdrawals_msat: '100000',
      fee_reserves_msat: '10000',
      fees_count: '0',
      net_msat: '1390000',
      net_btc: '0.00001390000',
    });
    // wd1 settles (fee 3,000, refund 7,000); wd2 fails; wd5 spends its whole reserve; a transfer; an internal payment.
    expect(row(DAY2, scenario.shop.merchantId)).toMatchObject({
      deposits_count: '0',
      withdrawals_count: '3',
      withdrawals_msat: '105000',
      refunds_count: '1',
      refunds_msat: '50000',
      fees_count: '2',
      fees_msat: '5000',
      fees_btc: '0.00000005000',
      fee_reserves_msat: '7000',
      fee_refunds_msat: '12000',
      transfers_count: '1',
      transfers_msat: '40000',
      net_msat: '-50000',
      net_btc: '-0.00000050000',
    });
    expect(row(DAY2, scenario.other.merchantId)).toMatchObject({ deposits_count: '2', deposits_msat: '50000', net_msat: '50000' });
    expect(row(DAY3, scenario.other.merchantId)).toMatchObject({ deposits_count: '1', deposits_msat: '13000' });
    expect(rows.reduce((sum, candidate) => sum + BigInt(candidate.net_msat!), 0n)).toBe(1_672_000n);
  });

  it('lists open items: a withdrawal in flight for hours, an invoice paid after expiry, a failed webhook delivery', async () => {
    await runReport(options('open'));
    const rows = await readCsv('open', 'open-items.csv');

    expect(rows.map((row) => [row.kind, row.object_id]).sort()).toEqual(
      [
        ['invoice_paid_after_expiry', scenario.ids.inv5],
        ['webhook_delivery_failed', scenario.ids.failingEvent],
        ['withdrawal_not_final', scenario.ids.wd3],
      ].sort(),
    );
    expect(rows.find((row) => row.object_id === scenario.ids.wd3)).toMatchObject({ status: 'in_flight', amount_msat: '20000', age_minutes: '180', merchant_id: scenario.shop.merchantId });
    expect(rows.find((row) => row.object_id === scenario.ids.inv5)).toMatchObject({ amount_msat: '13000', since: `${DAY3}T08:00:00.000Z` });
    const delivery = rows.find((row) => row.kind === 'webhook_delivery_failed')!;
    expect(delivery.merchant_id).toBe(scenario.shop.merchantId);
    expect(delivery.detail).toContain('attempt 2 failed');
    expect(delivery.detail).toContain('ECONNREFUSED, "retrying"');
  });

  it('restricts journal and daily rows to the period and reports opening and closing balances', async () => {
    const result = await runReport(options('period', { from: `${DAY2}T00:00:00.000Z`, to: `${DAY3}T00:00:00.000Z` }));
    const journal = await readCsv('period', 'journal.csv');
    const balances = await readCsv('period', 'balances.csv');
    const daily = await readCsv('period', 'daily.csv');

    expect(result.exitCode).toBe(0);
    expect(journal.length).toBeGreaterThan(0);
    expect(journal.every((row) => row.created_at!.startsWith(DAY2))).toBe(true);
    expect(daily.every((row) => row.date === DAY2)).toBe(true);
    const shopDefault = balances.find((row) => row.account_id === scenario.shop.defaultAccountId)!;
    expect(shopDefault).toMatchObject({ opening_msat: '890000', closing_msat: '800000', period_net_msat: '-90000', balance_msat: '800000' });
    const second = balances.find((row) => row.account_id === scenario.shop.secondAccountId)!;
    expect(second).toMatchObject({ opening_msat: '500000', closing_msat: '540000', balance_msat: '509000' });
    expect(journal.reduce((sum, row) => sum + BigInt(row.amount_msat!), 0n)).toBe(
      balances.reduce((sum, row) => sum + BigInt(row.period_net_msat!), 0n),
    );
  });

  it("restricts every file to one merchant's accounts and objects", async () => {
    const result = await runReport(options('merchant', { merchantId: scenario.other.merchantId }));
    const balances = await readCsv('merchant', 'balances.csv');
    const journal = await readCsv('merchant', 'journal.csv');
    const open = await readCsv('merchant', 'open-items.csv');

    expect(result.exitCode).toBe(0);
    expect(balances.map((row) => row.account_id)).toEqual([scenario.other.defaultAccountId]);
    expect(result.totals.balances).toBe(363_000n);
    expect(new Set(journal.map((row) => row.merchant_id))).toEqual(new Set([scenario.other.merchantId]));
    expect(open.map((row) => row.object_id)).toEqual([scenario.ids.inv5]);
  });

  it('holds customer balances and payouts under way against the node balance', async () => {
    // Owed: 1,672,000 in balances + wd3 (20,000 + 1,000) + wd4 (10,000) still under way.
    const short = await runReport(options('node-short', { nodeBalanceMsat: 1_702_999n }));
    const covered = await runReport(options('node-ok', { nodeBalanceMsat: 1_703_000n }));

    expect(short.exitCode).toBe(1);
    expect(short.liquidity?.surplusMsat).toBe(-1n);
    expect(short.checks.find((check) => check.id === 'node-liquidity')?.examples[0]).toContain('1 msat short of the 1703000 msat owed');
    expect(covered.exitCode).toBe(0);
    expect(covered.liquidity).toEqual({ nodeBalanceMsat: 1_703_000n, customerBalancesMsat: 1_672_000n, openOutflowMsat: 31_000n, liabilitiesMsat: 1_703_000n, surplusMsat: 0n });
    expect(await readFile(join(workDir, 'node-short', 'reconciliation.md'), 'utf8')).toContain('| SHORTFALL | -1 msat | -0.00000000001 BTC |');
  });

  it('scans the live table with --table and agrees with the export', async () => {
    const dynamoDb = client();
    try {
      const live = await runReport({ source: { kind: 'table', tableName: table.name }, outDir: join(workDir, 'live'), quiet: true, asOf: EXPORT_TIME.toISOString() }, { dynamoDb });
      await runReport(options('export-again'));

      expect(live.exitCode).toBe(0);
      expect(live.checks.find((check) => check.id === 'export-complete')?.status).toBe(CheckStatus.skipped);
      for (const file of ['balances.csv', 'journal.csv', 'daily.csv', 'open-items.csv']) {
        expect(await readFile(join(workDir, 'live', file), 'utf8'), file).toBe(await readFile(join(workDir, 'export-again', file), 'utf8'));
      }
    } finally {
      dynamoDb.destroy();
    }
  });
});
