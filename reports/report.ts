import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { ReportOptions } from './args';
import { UsageError } from './args';
import { checkEntriesBelongToMerchant, checkLedgerMatchesBalance, checkNoNegativeBalance } from './checks/balances';
import { CheckStatus, type CheckResult } from './checks/check';
import { checkInvoicesCreditedOnce } from './checks/invoices';
import { checkExportComplete, checkNodeLiquidity, checkTotals, liquidityOf, type Liquidity } from './checks/totals';
import { checkTransfersBalanced } from './checks/transfers';
import { checkFailedRefundedOpenNot, checkHashPaidOnce, checkSucceededRefundIsReserveMinusFee, checkWithdrawalsDebitedOnce } from './checks/withdrawals';
import { Collector } from './collect/collector';
import type { Totals } from './collect/totals';
import { InputError } from './errors';
import { ExportItemSource } from './export-reader';
import { decodeItem } from './items';
import { Progress } from './progress';
import { LocalExportStore } from './sources/export-store';
import type { ItemSource } from './sources/item-source';
import { S3ExportStore } from './sources/s3-export-store';
import { dynamoDbClientConfig, TableItemSource } from './table-reader';
import { writeBalances } from './writers/balances';
import { writeDaily } from './writers/daily';
import { DEFAULT_SORT_CHUNK_ROWS, JournalWriter } from './writers/journal';
import { OpenItemsWriter } from './writers/open-items';
import { writeReconciliation } from './writers/reconciliation';

export const ReportFile = {
  journal: 'journal.csv',
  balances: 'balances.csv',
  daily: 'daily.csv',
  openItems: 'open-items.csv',
  reconciliation: 'reconciliation.md',
} as const;

export const ExitCode = { ok: 0, checkFailed: 1, usage: 2, input: 3 } as const;

export interface ReportDependencies {
  /** Progress goes here; nothing is written when undefined. */
  progressStream?: Writable & { isTTY?: boolean };
  /** Plain progress lines every this many items when the stream is not a terminal. @default 500000 */
  progressEveryItems?: number;
  s3?: S3Client;
  dynamoDb?: DynamoDBClient;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** Journal rows sorted in memory before spilling a run to disk. @default 50000 */
  journalChunkRows?: number;
}

export interface ReportResult {
  exitCode: typeof ExitCode.ok | typeof ExitCode.checkFailed;
  checks: CheckResult[];
  totals: Totals;
  liquidity?: Liquidity;
  asOf: string;
  source: string;
  itemsRead: number;
  files: Record<string, number>;
  openItems: Record<string, number>;
}

async function openSource(options: ReportOptions, deps: ReportDependencies): Promise<ItemSource> {
  const source = options.source;
  switch (source.kind) {
    case 'export-dir':
      return ExportItemSource.open(new LocalExportStore(source.dir));
    case 'export-s3': {
      const s3 = deps.s3 ?? new S3Client(options.region ? { region: options.region } : {});
      return ExportItemSource.open(new S3ExportStore(s3, source.bucket, source.prefix));
    }
    case 'table': {
      const client = deps.dynamoDb ?? new DynamoDBClient(dynamoDbClientConfig(deps.env ?? process.env, options.region));
      return new TableItemSource(client, source.tableName, (deps.now ?? (() => new Date()))());
    }
  }
}

/**
 * Reads every item once, streaming, and writes the five report files into options.outDir.
 * Throws InputError for unreadable input and UsageError for a merchant that is not there;
 * on any failure the partly written files are removed, so a report on disk is always whole.
 */
export async function runReport(options: ReportOptions, deps: ReportDependencies = {}): Promise<ReportResult> {
  const source = await openSource(options, deps);
  const asOf = options.asOf ?? source.asOf;
  const period = { from: options.from, to: options.to };
  const outDir = options.outDir;
  await mkdir(outDir, { recursive: true });
  const paths = Object.fromEntries(Object.entries(ReportFile).map(([key, name]) => [key, join(outDir, name)])) as Record<keyof typeof ReportFile, string>;

  const journal = new JournalWriter(paths.journal, deps.journalChunkRows ?? DEFAULT_SORT_CHUNK_ROWS);
  const openItems = new OpenItemsWriter(paths.openItems, asOf);
  const progress = new Progress(deps.progressStream, { isTTY: deps.progressStream?.isTTY === true, everyItems: deps.progressEveryItems });
  const collector = new Collector(period, options.merchantId, journal, openItems);
  let itemsRead = 0;

  try {
    let lastFile = '';
    let fileIndex = 0;
    for await (const batch of source.batches()) {
      if (batch.file !== lastFile) {
        lastFile = batch.file;
        progress.onFile(++fileIndex, source.fileCount);
      }
      for (let index = 0; index < batch.size; index++) {
        const raw = batch.itemAt(index);
        if (raw === undefined) continue;
        let item;
        try {
          item = decodeItem(raw);
        } catch (error) {
          throw new InputError(`${batch.file}:${batch.lineOf(index)}: ${(error as Error).message}`, { cause: error });
        }
        const writing = collector.add(item);
        if (writing) await writing;
        itemsRead++;
        progress.tick();
      }
    }
    progress.done();
    if (options.merchantId !== undefined && !collector.merchantSeen) {
      throw new UsageError(`merchant ${options.merchantId} is not in ${source.description}`);
    }

    const liquidity = options.nodeBalanceMsat === undefined ? undefined : liquidityOf(collector.totals, options.nodeBalanceMsat);
    const checks: CheckResult[] = [
      checkExportComplete(source.completeness()),
      checkNoNegativeBalance(collector.accounts),
      checkLedgerMatchesBalance(collector.accounts),
      checkEntriesBelongToMerchant(collector.accounts),
      checkInvoicesCreditedOnce(collector.invoices),
      checkHashPaidOnce(collector.withdrawals),
      checkWithdrawalsDebitedOnce(collector.withdrawals),
      checkFailedRefundedOpenNot(collector.withdrawals),
      checkSucceededRefundIsReserveMinusFee(collector.withdrawals),
      checkTransfersBalanced(collector.transfers),
      checkTotals(collector.totals),
      checkNodeLiquidity(liquidity),
    ];

    for (const delivery of collector.deliveries.open(options.merchantId)) openItems.failedDelivery(delivery);
    await openItems.close();
    await journal.finish();
    await writeBalances(paths.balances, collector.accounts, collector.merchantNames);
    const dailyRows = collector.daily.sorted();
    await writeDaily(paths.daily, dailyRows, collector.merchantNames);

    const files = {
      [ReportFile.journal]: journal.rows,
      [ReportFile.balances]: collector.accounts.accounts.size,
      [ReportFile.daily]: dailyRows.length,
      [ReportFile.openItems]: openItems.rowCount,
    };
    await writeReconciliation(paths.reconciliation, {
      source: source.description,
      asOf,
      period,
      merchantId: options.merchantId,
      generatedAt: (deps.now ?? (() => new Date()))().toISOString(),
      itemsByEntity: collector.itemsByEntity,
      checks,
      totals: collector.totals,
      liquidity,
      openItems: openItems.counts,
      files,
    });
    const failed = checks.some((check) => check.status === CheckStatus.fail);
    return {
      exitCode: failed ? ExitCode.checkFailed : ExitCode.ok,
      checks,
      totals: collector.totals,
      liquidity,
      asOf,
      source: source.description,
      itemsRead,
      files,
      openItems: openItems.counts,
    };
  } catch (error) {
    await journal.cleanUp();
    await Promise.all(Object.values(paths).map((path) => rm(path, { force: true })));
    throw error;
  }
}
