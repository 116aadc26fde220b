import { readFile, readdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDynamoDbClient } from '../../infra/local/dynamodb-local';
import { CheckStatus } from '../../reports/checks/check';
import { InputError } from '../../reports/errors';
import { runReport, type ReportResult } from '../../reports/report';
import { findItemLine, rewriteDataFile, writeExportOfTable, type DynamoItem } from '../support/export-fixture';
import { dynamoDbEndpoint, useTestTable } from '../support/table';
import { EXPORT_TIME, runLedgerScenario, type Scenario } from './ledger-scenario';

const isLedgerEntry = (item: DynamoItem) => item.entity?.S === 'ledger_entry';
const accountItem = (accountId: string) => (item: DynamoItem) => item.pk?.S === `ACCOUNT#${accountId}` && item.sk?.S === 'ACCOUNT';
const entryOf = (referenceId: string, type: string) => (item: DynamoItem) => isLedgerEntry(item) && item.reference_id?.S === referenceId && item.type?.S === type;
const addToBalance = (items: DynamoItem[], accountId: string, msat: number) => {
  const account = items.find(accountItem(accountId))!;
  account.balance_msat = { N: String(BigInt(account.balance_msat!.N!) + BigInt(msat)) };
};
/** A copy of an entry under a new id: what a replayed, non-idempotent credit would leave behind. */
const copyEntry = (entry: DynamoItem, changes: Partial<Record<string, string>> = {}): DynamoItem => {
  const id = `led_${'z'.repeat(36)}`;
  const copy: DynamoItem = { ...entry, id: { S: id }, sk: { S: `LEDGER#${id}` } };
  for (const [name, value] of Object.entries(changes)) copy[name] = name === 'amount_msat' ? { N: value! } : { S: value! };
  return copy;
};

describe('finance report on a tampered or corrupt export', () => {
  const table = useTestTable();
  let scenario: Scenario;
  let workDir: string;
  let exports = 0;

  beforeAll(async () => {
    scenario = await runLedgerScenario(table);
    workDir = await mkdtemp(join(tmpdir(), 'report-tamper-'));
  });

  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  /** Exports the table with `transform` applied to its items, then reports on it. */
  async function exportWith(transform?: (items: DynamoItem[]) => DynamoItem[]) {
    const dir = join(workDir, `export-${++exports}`);
    const client = localDynamoDbClient(dynamoDbEndpoint());
    try {
      const written = await writeExportOfTable({ client, tableName: table.name, dir, exportTime: EXPORT_TIME, transform });
      return { dir, written, outDir: join(workDir, `out-${exports}`) };
    } finally {
      client.destroy();
    }
  }
  async function reportOn(transform: (items: DynamoItem[]) => DynamoItem[]): Promise<ReportResult> {
    const { dir, outDir } = await exportWith(transform);
    return runReport({ source: { kind: 'export-dir', dir }, outDir, quiet: true });
  }
  const failed = (result: ReportResult) => Object.fromEntries(result.checks.filter((check) => check.status === CheckStatus.fail).map((check) => [check.id, check.examples]));

  it('reports a balance changed by 1 msat, naming the account and the difference', async () => {
    const result = await reportOn((items) => {
      addToBalance(items, scenario.shop.defaultAccountId, 1);
      return items;
    });

    expect(result.exitCode).toBe(1);
    expect(Object.keys(failed(result)).sort()).toEqual(['ledger-matches-balance', 'totals']);
    expect(failed(result)['ledger-matches-balance']).toEqual([
      `${scenario.shop.defaultAccountId}: balance_msat 800001 but its 12 ledger entries sum to 800000 (difference 1 msat)`,
    ]);
  });

  it('reports a deleted ledger entry: the balance no longer matches and the withdrawal misses its refund', async () => {
    const result = await reportOn((items) => items.filter((item) => !entryOf(scenario.ids.wd1!, 'fee_refund')(item)));
    const reconciliation = await readFile(join(workDir, `out-${exports}`, 'reconciliation.md'), 'utf8');

    expect(result.exitCode).toBe(1);
    expect(failed(result)['ledger-matches-balance']).toEqual([`${scenario.shop.defaultAccountId}: balance_msat 800000 but its 11 ledger entries sum to 793000 (difference 7000 msat)`]);
    expect(failed(result)['succeeded-refund-is-reserve-minus-fee']).toEqual([`${scenario.ids.wd1} (succeeded): expected 1 fee_refund entry of 7000 msat, found 0`]);
    expect(failed(result)['totals']).toBeDefined();
    expect(reconciliation).toContain('**Result: FAIL');
    expect(reconciliation).toMatch(/\| Ledger sum equals balance, per account \| FAIL \| 3 \| 1 \|/);
  });

  it('reports an invoice credited twice even when the balance was raised to match', async () => {
    const result = await reportOn((items) => {
      items.push(copyEntry(items.find(entryOf(scenario.ids.inv1!, 'deposit'))!));
      addToBalance(items, scenario.shop.defaultAccountId, 1_000_000);
      return items;
    });

    expect(result.exitCode).toBe(1);
    expect(failed(result)['invoice-credited-once']).toEqual([`${scenario.ids.inv1}: status paid: expected 1 deposit(s), found 2`]);
    expect(failed(result)['ledger-matches-balance']).toBeUndefined();
  });

  it('reports a refund of a withdrawal that is still in flight', async () => {
    const result = await reportOn((items) => {
      const debit = items.find(entryOf(scenario.ids.wd3!, 'withdrawal'))!;
      items.push(copyEntry(debit, { type: 'withdrawal_refund', amount_msat: '20000' }));
      addToBalance(items, scenario.shop.secondAccountId, 20_000);
      return items;
    });

    expect(result.exitCode).toBe(1);
    expect(failed(result)['failed-refunded-open-not']).toEqual([`${scenario.ids.wd3} (in_flight): refunded while not final: 1 withdrawal_refund and 0 fee_refund entries`]);
  });

  it('reports a payment hash paid by two succeeded withdrawals', async () => {
    const result = await reportOn((items) => {
      const first = items.find((item) => item.pk?.S === `WITHDRAWAL#${scenario.ids.wd1}`)!;
      const second = items.find((item) => item.pk?.S === `WITHDRAWAL#${scenario.ids.wd5}`)!;
      second.payment_hash = first.payment_hash!;
      return items;
    });

    expect(result.exitCode).toBe(1);
    expect(failed(result)['hash-paid-once']).toEqual([expect.stringMatching(new RegExp(`was paid by both (${scenario.ids.wd1} and ${scenario.ids.wd5}|${scenario.ids.wd5} and ${scenario.ids.wd1})`))]);
  });

  it("reports a negative balance, an entry booked in another merchant's account, and a half-applied transfer", async () => {
    const result = await reportOn((items) => {
      addToBalance(items, scenario.other.defaultAccountId, -363_001);
      items.find(entryOf(scenario.ids.inv3!, 'deposit'))!.merchant_id = { S: scenario.shop.merchantId };
      const transferIn = items.find(entryOf(scenario.ids.tr1!, 'transfer_in'))!;
      addToBalance(items, scenario.shop.secondAccountId, -40_000);
      return items.filter((item) => item !== transferIn);
    });

    expect(result.exitCode).toBe(1);
    expect(failed(result)['no-negative-balance']).toEqual([`${scenario.other.defaultAccountId}: balance_msat is -1`]);
    expect(failed(result)['entries-match-merchant']).toEqual([`${scenario.other.defaultAccountId}: its ledger entries name more than one merchant`]);
    expect(failed(result)['transfer-balanced']).toEqual([`${scenario.ids.tr1}: expected one transfer_in of 40000 msat, found 0`]);
    expect(failed(result)['totals']).toEqual(expect.arrayContaining([expect.stringContaining('transfer_in 0 msat != transfer_out 40000 msat')]));
  });

  it('reports a data file that lost an item its manifest counts', async () => {
    const { dir, written, outDir } = await exportWith();
    const { path } = await findItemLine(written, accountItem(scenario.other.defaultAccountId));
    await rewriteDataFile(path, (lines) => lines.filter((line) => !line.includes(`"ACCOUNT#${scenario.other.defaultAccountId}"}`) || !line.includes('"sk":{"S":"ACCOUNT"}')));

    const result = await runReport({ source: { kind: 'export-dir', dir }, outDir, quiet: true });

    expect(result.exitCode).toBe(1);
    expect(failed(result)['export-complete']).toEqual([
      `${path}: ${(await linesIn(path)) } items read, manifest says ${(await linesIn(path)) + 1}`,
      `${written.itemCount - 1} items read in all, manifest-summary.json says ${written.itemCount}`,
    ]);
  });

  it('fails on a corrupt line with the file and line number, and leaves no partial report', async () => {
    const { dir, written, outDir } = await exportWith();
    const { path, line } = await findItemLine(written, entryOf(scenario.ids.wd2!, 'withdrawal_refund'));
    await rewriteDataFile(path, (lines) => lines.map((text, index) => (index === line - 1 ? text.slice(0, 40) : text)));

    const error = await runReport({ source: { kind: 'export-dir', dir }, outDir, quiet: true }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(new RegExp(`^${escape(path)}:${line}: not JSON`));
    expect(await readdir(outDir)).toEqual([]);
  });

  it('fails on an item that breaks its shape, naming file, line and field', async () => {
    const { dir, written, outDir } = await exportWith((items) => {
      items.find(entryOf(scenario.ids.inv2!, 'deposit'))!.amount_msat = { N: '500000.5' };
      return items;
    });
    const { path, line } = await findItemLine(written, entryOf(scenario.ids.inv2!, 'deposit'));

    const error = await runReport({ source: { kind: 'export-dir', dir }, outDir, quiet: true }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(`${path}:${line}: ledger_entry item ACCOUNT#${scenario.shop.secondAccountId} / LEDGER#`);
    expect((error as Error).message).toContain('amount_msat: not a safe integer amount of msat: 500000.5');
  });

  it('fails on a truncated gzip file, naming it', async () => {
    const { dir, written, outDir } = await exportWith();
    const path = written.dataFiles[0]!;
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2)));

    const error = await runReport({ source: { kind: 'export-dir', dir }, outDir, quiet: true }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(new RegExp(`^${escape(path)}.*cannot read the gzip data \\(unexpected end of file\\)`));
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function linesIn(path: string): Promise<number> {
  const { gunzipSync } = await import('node:zlib');
  return gunzipSync(await readFile(path)).toString('utf8').split('\n').filter((line) => line !== '').length;
}
