/**
 * Hot account: many concurrent withdrawals from one account, through the API, while the
 * bridge pays them and the payout-result consumer refunds unused fee reserves to the same
 * account. The account holds enough for about 80% of them, so the rest must be refused
 * (422 insufficient_funds) and never overdraw it. Reports accepted withdrawals per second,
 * the ledger's conflict retries (transactStats: API and consumers run in this process),
 * the lowest balance seen while it ran, and the ledger check once every payment is final:
 * the entries sum to the balance and the balance is what the accepted withdrawals left.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { allLedgerEntries } from '../functions/lib/accounts/repository';
import { defaultFeeReserveMsat } from '../functions/lib/money';
import { transactStats } from '../functions/lib/table/transact';
import { keys } from '../functions/lib/table/keys';
import type { WithdrawalItem } from '../functions/lib/withdrawals/withdrawal';
import { startBenchStack, waitFor } from './local-stack';
import { perSecond, runClosedLoop, summarize, type LatencySummary } from './stats';

const AMOUNT_MSAT = 2_000;
const FEE_MSAT = 100;

export interface HotAccountResult {
  requests: number;
  concurrency: number;
  accepted: number;
  refused: number;
  otherStatuses: Record<string, number>;
  acceptedPerSec: number;
  latency: LatencySummary;
  conflictRetries: number;
  lowestBalanceMsat: number;
  ledgerSumMsat: number;
  balanceMsat: number;
  expectedBalanceMsat: number;
  ledgerEntries: number;
  ok: boolean;
}

export async function benchHotAccount(options: { requests: number; concurrency: number; log: (line: string) => void }): Promise<HotAccountResult> {
  const { log, requests, concurrency } = options;
  const s = await startBenchStack('hot');
  try {
    const merchant = await s.newMerchant('Hot shop');
    const accountId = merchant.default_account_id;
    const reserveMsat = defaultFeeReserveMsat(AMOUNT_MSAT);
    const perWithdrawal = AMOUNT_MSAT + reserveMsat;
    const fundedMsat = Math.floor(requests * 0.8) * perWithdrawal + perWithdrawal / 2;
    await s.fund(merchant.secret_key, accountId, fundedMsat);
    const targets = Array.from({ length: requests }, () => s.sim.createOutsideInvoice({ amountMsat: AMOUNT_MSAT, outcome: 'succeed', feeMsat: FEE_MSAT }));

    let lowest = await s.balance(accountId);
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        lowest = Math.min(lowest, await s.balance(accountId));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    log(`hot account: ${requests} withdrawals at concurrency ${concurrency} from one account funded for ~80% of them`);
    const conflictsBefore = transactStats.conflictRetries;
    const statuses: Record<string, number> = {};
    const acceptedIds: string[] = [];
    const acceptedLatencies: number[] = [];
    const run = await runClosedLoop(requests, concurrency, async (i) => {
      const t0 = performance.now();
      const reply = await s.api<{ id: string }>('POST', '/v1/withdrawals', merchant.secret_key, { bolt11: targets[i]!.bolt11, account_id: accountId });
      statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
      if (reply.status === 202) {
        acceptedIds.push(reply.body.id);
        acceptedLatencies.push(performance.now() - t0);
      }
    });
    if (run.errors.length > 0) throw new Error(`hot account: ${(run.errors[0] as Error).message}`);

    log(`hot account: waiting for ${acceptedIds.length} payments to finish`);
    await waitFor(
      async () => {
        for (const id of acceptedIds) {
          const { Item } = await s.table.doc.send(new GetCommand({ TableName: s.tableName, Key: keys.withdrawal(id), ConsistentRead: true }));
          const status = (Item as WithdrawalItem | undefined)?.status;
          if (status !== 'succeeded' && status !== 'failed') return false;
        }
        return true;
      },
      'every accepted withdrawal final',
      Math.max(120_000, acceptedIds.length * 200),
      500,
    );
    sampling = false;
    await sampler;
    const conflictRetries = transactStats.conflictRetries - conflictsBefore;

    const entries = await allLedgerEntries(s.table, accountId);
    const ledgerSumMsat = entries.reduce((total, entry) => total + entry.amount_msat, 0);
    const balanceMsat = await s.balance(accountId);
    // Each succeeded payment cost its amount and the routing fee; the rest of the reserve came back.
    const expectedBalanceMsat = fundedMsat - acceptedIds.length * (AMOUNT_MSAT + FEE_MSAT);
    const accepted = statuses[202] ?? 0;
    const refused = statuses[422] ?? 0;
    const otherStatuses = Object.fromEntries(Object.entries(statuses).filter(([status]) => status !== '202' && status !== '422'));
    return {
      requests,
      concurrency,
      accepted,
      refused,
      otherStatuses,
      acceptedPerSec: perSecond(accepted, run.elapsedMs),
      latency: summarize(acceptedLatencies),
      conflictRetries,
      lowestBalanceMsat: lowest,
      ledgerSumMsat,
      balanceMsat,
      expectedBalanceMsat,
      ledgerEntries: entries.length,
      ok: ledgerSumMsat === balanceMsat && lowest >= 0 && balanceMsat === expectedBalanceMsat && Object.keys(otherStatuses).length === 0,
    };
  } finally {
    await s.stop();
  }
}
