import { writeFile } from 'node:fs/promises';
import { LedgerEntryType } from '../../functions/lib/ledger/ledger-entry';
import { formatBtc } from '../btc';
import { CheckStatus, type CheckResult } from '../checks/check';
import type { Liquidity } from '../checks/totals';
import type { Period } from '../collect/period';
import type { Sum, Totals } from '../collect/totals';

export interface ReconciliationInput {
  source: string;
  asOf: string;
  period: Period;
  merchantId?: string;
  generatedAt: string;
  itemsByEntity: Map<string, number>;
  checks: CheckResult[];
  totals: Totals;
  liquidity?: Liquidity;
  openItems: Record<string, number>;
  files: Record<string, number>;
}

const cell = (text: string | number | bigint) => String(text).replaceAll('|', '\\|').replace(/[\r\n]+/g, ' ');
const money = (msat: bigint) => `${msat} msat | ${formatBtc(msat)} BTC`;
const line = (label: string, msat: bigint, note = '') => `| ${cell(label)} | ${money(msat)} | ${cell(note)} |`;
const counted = (label: string, sum: Sum, note = '') => `| ${cell(label)} | ${money(sum.msat)} | ${cell(`${sum.count} ${note}`.trim())} |`;

/** reconciliation.md: every check with its result, the totals, and the node's liquidity when given. */
export function renderReconciliation(input: ReconciliationInput): string {
  const failed = input.checks.filter((check) => check.status === CheckStatus.fail);
  const { totals } = input;
  const ledger = totals.ledgerAllTime;
  const period = totals.ledgerInPeriod;
  const out: string[] = [];

  out.push('# Reconciliation', '');
  out.push(`**Result: ${failed.length === 0 ? 'PASS' : `FAIL — ${failed.length} of ${input.checks.length} checks failed`}**`, '');
  out.push('| | |', '|---|---|');
  out.push(`| Source | ${cell(input.source)} |`);
  out.push(`| Data as of | ${input.asOf} |`);
  out.push(`| Period | ${input.period.from ?? 'beginning'} (inclusive) to ${input.period.to ?? 'end'} (exclusive) |`);
  out.push(`| Merchant | ${input.merchantId ?? 'all merchants'} |`);
  out.push(`| Generated | ${input.generatedAt} |`);
  const entities = [...input.itemsByEntity].sort(([a], [b]) => (a < b ? -1 : 1));
  out.push(`| Items read | ${entities.map(([entity, count]) => `${cell(entity)}: ${count}`).join(', ') || 'none'} |`);
  out.push('');

  out.push('## Checks', '');
  out.push('| # | Check | Result | Checked | Failures |', '|---|---|---|---|---|');
  input.checks.forEach((check, index) => {
    out.push(`| ${index + 1} | ${cell(check.title)} | ${check.status} | ${check.checked} | ${check.failures} |`);
  });
  out.push('');
  input.checks.forEach((check, index) => {
    out.push(`### ${index + 1}. ${check.title} — ${check.status}`, '');
    out.push(`\`${check.id}\`: ${check.rule}`, '');
    if (check.note) out.push(`_${check.note}_`, '');
    if (check.examples.length > 0) {
      for (const example of check.examples) out.push(`- ${example.replace(/[\r\n]+/g, ' ')}`);
      if (check.failures > check.examples.length) out.push(`- … and ${check.failures - check.examples.length} more`);
      out.push('');
    }
  });

  out.push('## Totals (all time, as of the data)', '');
  out.push('| | msat | BTC | count / note |', '|---|---|---|---|');
  out.push(counted('Invoices paid (amount_paid_msat)', totals.paidInvoices, 'invoices'));
  out.push(counted('Late settlements of internally paid invoices', totals.lateSettlements, 'invoices'));
  out.push(counted('Withdrawals not failed (amount_msat)', totals.withdrawalsOut, 'withdrawals'));
  out.push(counted('Fees paid (fee_msat of succeeded withdrawals)', totals.feesPaid, 'withdrawals'));
  out.push(counted('Fee reserves held (pending and in-flight withdrawals)', totals.reservesHeld, 'withdrawals'));
  out.push(counted('Failed withdrawals (refunded)', totals.failedWithdrawals, 'withdrawals'));
  const objectNet = totals.paidInvoices.msat + totals.lateSettlements.msat - totals.withdrawalsOut.msat - totals.feesPaid.msat - totals.reservesHeld.msat;
  out.push(line('= deposits − withdrawals − fees − reserves held', objectNet));
  out.push(line('Σ balances', totals.balances, `${totals.accounts} accounts`));
  out.push(line('Σ ledger entries', totals.ledgerNet()));
  out.push('');

  out.push('### Ledger entries by type', '');
  out.push('| type | all time msat | all time BTC | count | in period msat | in period BTC | count |', '|---|---|---|---|---|---|---|');
  for (const type of Object.values(LedgerEntryType)) {
    out.push(`| ${type} | ${money(ledger[type].msat)} | ${ledger[type].count} | ${money(period[type].msat)} | ${period[type].count} |`);
  }
  const periodNet = Object.values(period).reduce((sum, entry) => sum + entry.msat, 0n);
  out.push(`| **net** | ${money(totals.ledgerNet())} | | ${money(periodNet)} | |`);
  out.push('');

  if (input.liquidity) {
    const liquidity = input.liquidity;
    out.push('## Node liquidity', '');
    out.push('| | msat | BTC | |', '|---|---|---|---|');
    out.push(line('Node balance (--node-balance-msat)', liquidity.nodeBalanceMsat));
    out.push(line('Customer balances', liquidity.customerBalancesMsat));
    out.push(line('Pending and in-flight withdrawals (amount + reserve)', liquidity.openOutflowMsat));
    out.push(line('Owed in all', liquidity.liabilitiesMsat));
    out.push(line(liquidity.surplusMsat >= 0n ? 'Surplus' : 'SHORTFALL', liquidity.surplusMsat));
    out.push('');
  }

  out.push('## Files', '');
  for (const [file, rows] of Object.entries(input.files)) out.push(`- \`${file}\`: ${rows} rows`);
  out.push('', '## Open items', '');
  for (const [kind, count] of Object.entries(input.openItems)) out.push(`- ${kind}: ${count}`);
  out.push('');
  return out.join('\n');
}

export async function writeReconciliation(path: string, input: ReconciliationInput): Promise<void> {
  await writeFile(path, renderReconciliation(input), 'utf8');
}
