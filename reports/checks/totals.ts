import { LedgerEntryType } from '../../functions/lib/ledger/ledger-entry';
import type { Totals } from '../collect/totals';
import type { Completeness } from '../sources/item-source';
import { Findings, skipped, type CheckResult } from './check';

/**
 * The books close: what came in, less what went out, less fees, less reserves still held,
 * is what the customers hold — counted once from the ledger and once from the objects.
 */
export function checkTotals(totals: Totals): CheckResult {
  const findings = new Findings();
  const ledger = totals.ledgerAllTime;
  const ledgerNet = totals.ledgerNet();
  if (ledgerNet !== totals.balances) {
    findings.add(`Σ ledger entries ${ledgerNet} msat != Σ balances ${totals.balances} msat (difference ${totals.balances - ledgerNet})`);
  }
  const credited = totals.paidInvoices.msat + totals.lateSettlements.msat;
  const objectNet = credited - totals.withdrawalsOut.msat - totals.feesPaid.msat - totals.reservesHeld.msat;
  if (objectNet !== totals.balances) {
    findings.add(
      `invoices credited ${credited} − withdrawals ${totals.withdrawalsOut.msat} − fees ${totals.feesPaid.msat} − reserves held ${totals.reservesHeld.msat} = ${objectNet} msat != Σ balances ${totals.balances} msat (difference ${totals.balances - objectNet})`,
    );
  }
  if (ledger.deposit.msat !== credited) findings.add(`deposit entries ${ledger.deposit.msat} msat != invoices credited ${credited} msat`);
  const transferredOut = -ledger[LedgerEntryType.transferOut].msat;
  if (ledger[LedgerEntryType.transferIn].msat !== transferredOut) {
    findings.add(`transfer_in ${ledger[LedgerEntryType.transferIn].msat} msat != transfer_out ${transferredOut} msat: transfers created or destroyed money`);
  }
  return findings.result({
    id: 'totals',
    title: 'Totals: deposits − withdrawals − fees − reserves held == Σ balances',
    rule:
      'Σ of all ledger entries == Σ balance_msat; and from the objects: Σ credited by paid invoices (amount_paid_msat + late_settlement_msat) − Σ amount_msat of withdrawals not failed − Σ fee_msat of succeeded withdrawals − Σ fee_reserve_msat of pending/in-flight withdrawals == Σ balance_msat; deposit entries == invoices credited; transfers in == transfers out.',
    checked: totals.accounts,
  });
}

/** The export holds every item its manifests promise: nothing lost between the table and the report. */
export function checkExportComplete(completeness: Completeness | undefined): CheckResult {
  const base = {
    id: 'export-complete',
    title: 'The export is complete',
    rule: 'Items read from each data file == its itemCount in manifest-files.json, and the total == itemCount in manifest-summary.json.',
  };
  if (!completeness) return skipped({ ...base, note: 'a live table scan has no manifest to count against' });
  const findings = new Findings();
  for (const file of completeness.files) {
    if (file.read !== file.expected) findings.add(`${file.file}: ${file.read} items read, manifest says ${file.expected}`);
  }
  if (completeness.readTotal !== completeness.expectedTotal) {
    findings.add(`${completeness.readTotal} items read in all, manifest-summary.json says ${completeness.expectedTotal}`);
  }
  return findings.result({ ...base, checked: completeness.files.length });
}

export interface Liquidity {
  nodeBalanceMsat: bigint;
  customerBalancesMsat: bigint;
  openOutflowMsat: bigint;
  liabilitiesMsat: bigint;
  surplusMsat: bigint;
}

export function liquidityOf(totals: Totals, nodeBalanceMsat: bigint): Liquidity {
  const liabilitiesMsat = totals.balances + totals.openOutflow.msat;
  return {
    nodeBalanceMsat,
    customerBalancesMsat: totals.balances,
    openOutflowMsat: totals.openOutflow.msat,
    liabilitiesMsat,
    surplusMsat: nodeBalanceMsat - liabilitiesMsat,
  };
}

/** The node holds at least what the service owes: customer balances plus payouts still under way. */
export function checkNodeLiquidity(liquidity: Liquidity | undefined): CheckResult {
  const base = {
    id: 'node-liquidity',
    title: 'Node liquidity covers customer balances',
    rule: 'The node balance given with --node-balance-msat >= Σ balance_msat + Σ (amount_msat + fee_reserve_msat) of pending and in-flight withdrawals.',
  };
  if (!liquidity) return skipped({ ...base, note: 'no --node-balance-msat given' });
  const findings = new Findings();
  if (liquidity.surplusMsat < 0n) {
    findings.add(`node balance ${liquidity.nodeBalanceMsat} msat is ${-liquidity.surplusMsat} msat short of the ${liquidity.liabilitiesMsat} msat owed`);
  }
  return findings.result({ ...base, checked: 1 });
}
