/**
 * `npm run test:chaos`: a mixed workload (deposits, withdrawals of every outcome, transfers,
 * internal payments) through the real API while the bridge is SIGKILLed and restarted,
 * gRPC streams drop, DynamoDB throttles the API, the consumers and the local queues, the
 * outbox's PutEvents fail or refuse entries, and consumer deliveries outlive their
 * visibility timeout. Afterwards every invariant is checked from the table, the simulator
 * and the finance report. Seeded: CHAOS_SEED=<n> replays the same workload and fault
 * schedule (timing still varies); CHAOS_PROFILE=long runs longer. See docs/CHAOS.md.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { AccountItem } from '../../functions/lib/accounts/account';
import { allLedgerEntries } from '../../functions/lib/accounts/repository';
import type { InvoiceItem } from '../../functions/lib/invoices/invoice';
import type { LedgerEntryItem } from '../../functions/lib/ledger/ledger-entry';
import { createMerchant } from '../../functions/lib/merchants/create-merchant';
import { keys } from '../../functions/lib/table/keys';
import type { WithdrawalItem } from '../../functions/lib/withdrawals/withdrawal';
import { PAYOUT_QUEUE, PAYOUT_RESULT_QUEUE, RULE_TARGET_FAILURES_QUEUE, SETTLE_INVOICE_QUEUE } from '../../infra/local/pipeline';
import type { PaymentOutcome } from '../../lnd-simulator';
import { main as reportMain } from '../../reports/cli';
import { startChaosStack, type ApiAnswer, type ChaosStack } from './chaos-stack';
import { flakyBus, injectDynamoDbFaults, newCounters, streamOf, type FaultSwitch } from './faults';

const PROFILES = {
  quick: { clients: 4, opsPerClient: 50, faultPauseMs: [300, 1200] as const, settleTimeoutMs: 120_000 },
  long: { clients: 6, opsPerClient: 150, faultPauseMs: [300, 1500] as const, settleTimeoutMs: 300_000 },
};
const profileName = process.env.CHAOS_PROFILE === 'long' ? 'long' : 'quick';
const profile = PROFILES[profileName];
const seed = process.env.CHAOS_SEED !== undefined && process.env.CHAOS_SEED !== '' ? Number(process.env.CHAOS_SEED) : Math.floor(Math.random() * 2 ** 31);
if (!Number.isSafeInteger(seed)) throw new Error(`CHAOS_SEED must be a whole number, got ${process.env.CHAOS_SEED}`);
const replay = `CHAOS_SEED=${seed} CHAOS_PROFILE=${profileName} npm run test:chaos`;

// Low enough that transfers and withdrawals run accounts dry: some are refused (422), none overdraws.
const FUNDING_MSAT = 400_000;
const OUTCOMES: Array<[PaymentOutcome, number]> = [
  ['succeed', 0.4],
  ['no_route', 0.15],
  ['insufficient_balance', 0.1],
  ['timeout', 0.1],
  ['hang', 0.25],
];

interface Merchant {
  id: string;
  secretKey: string;
  invoiceKey: string;
  accounts: string[];
}

interface DepositRecord {
  invoiceId: string;
  accountId: string;
  bolt11: string;
  /** What the node received from the outside payer (0 when the node never settled it). */
  paidOnNodeMsat: number;
  /** Paid by one of our own accounts (an internal payment): that amount is credited too. */
  paidInternallyMsat: number;
}

interface WithdrawalRecord {
  id: string;
  accountId: string;
  paymentHash: string;
  amountMsat: number;
  feeReserveMsat: number;
  internal: boolean;
  outcome: PaymentOutcome | 'internal';
  /** The routing fee the outside node charges. */
  feeMsat: number;
  /** Hangs: resolved with this outcome during or after the run, or left in flight. */
  resolveWith?: PaymentOutcome;
  resolved?: boolean;
}

interface TransferRecord {
  id: string;
  from: string;
  to: string;
  amountMsat: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs: number, diagnose?: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const details = diagnose ? await diagnose().catch((error: unknown) => `(diagnosis failed: ${String(error)})`) : '';
      throw new Error(`${replay}: ${what} not reached within ${timeoutMs} ms${details ? `\n${details}` : ''}`);
    }
    await sleep(200);
  }
}

describe(`chaos (${profileName}, seed ${seed})`, () => {
  it('keeps every invariant through bridge kills, stream drops, throttling, bus and queue failures', { timeout: profileName === 'long' ? 1_800_000 : 600_000 }, async () => {
    console.log(`chaos: seed ${seed}, profile ${profileName}; replay with: ${replay}`);
    const faults: FaultSwitch = { on: false };
    const counters = newCounters();
    const stack: ChaosStack = await startChaosStack({
      wrapOutboxBus: (bus) => flakyBus(bus, faults, { failCall: 0.05, refuseSome: 0.1 }, streamOf(seed, 'bus'), counters),
    });
    try {
      // Faults on every client this process owns: the API's, the consumers' and the queues'.
      injectDynamoDbFaults(stack.apiTable.doc, faults, { name: 'api', throttleRate: 0.1, lostAnswerRate: 0.02, surfaceRate: 0.02 }, streamOf(seed, 'ddb-api'), counters);
      injectDynamoDbFaults(
        stack.pipeline.table.doc,
        faults,
        { name: 'consumers', throttleRate: 0.1, lostAnswerRate: 0.02, surfaceRate: 0.03, slowRate: 0.01, slowMs: 2_500 },
        streamOf(seed, 'ddb-consumers'),
        counters,
      );
      injectDynamoDbFaults(stack.pipeline.queues.table.doc, faults, { name: 'queues', throttleRate: 0.05, lostAnswerRate: 0.01, surfaceRate: 0.02 }, streamOf(seed, 'ddb-queues'), counters);

      const deposits = new Map<string, DepositRecord>();
      const withdrawals: WithdrawalRecord[] = [];
      const transfers: TransferRecord[] = [];
      const stats = { requests: 0, retries: 0, refusedForFunds: 0, ops: { deposit: 0, withdrawal: 0, transfer: 0, internal: 0 } };
      let keyCounter = 0;

      /** A careful client: one Idempotency-Key per operation, retried on 5xx, network errors and a key still in progress. */
      const call = async <T = any>(method: string, urlPath: string, key: string, body: unknown, accept: number[], random: () => number): Promise<ApiAnswer<T>> => {
        const idempotencyKey = `chaos-${seed}-${keyCounter++}`;
        for (let attempt = 1; ; attempt++) {
          stats.requests++;
          let answer: ApiAnswer<T>;
          try {
            answer = await stack.request<T>(method, urlPath, key, body, idempotencyKey);
          } catch (error) {
            answer = { status: 0, body: String(error) as T };
          }
          if (accept.includes(answer.status)) return answer;
          const code = (answer.body as { error?: { code?: string } })?.error?.code;
          const retryable = answer.status === 0 || answer.status >= 500 || (answer.status === 409 && code === 'idempotency_in_progress');
          if (!retryable || attempt >= 60) {
            throw new Error(`${replay}: ${method} ${urlPath} answered ${answer.status} ${JSON.stringify(answer.body)} after ${attempt} attempt(s); API errors: ${stack.apiErrors.slice(-3).join(' | ')}`);
          }
          stats.retries++;
          await sleep(Math.min(2_000, 25 * 2 ** Math.min(attempt, 6)) * (0.5 + random()));
        }
      };

      // Setup, clean: two merchants with three accounts each, every account funded by a paid invoice.
      const merchants: Merchant[] = [];
      for (let m = 0; m < 2; m++) {
        const created = await createMerchant(stack.checks, { name: `Chaos shop ${m}` });
        const merchant: Merchant = { id: created.merchant_id, secretKey: created.secret_key, invoiceKey: created.invoice_key, accounts: [created.default_account_id] };
        for (let a = 0; a < 2; a++) {
          const account = await call<{ id: string }>('POST', '/v1/accounts', created.secret_key, { label: `chaos ${a}` }, [201], Math.random);
          merchant.accounts.push(account.body.id);
        }
        merchants.push(merchant);
      }
      const accounts = merchants.flatMap((merchant) => merchant.accounts.map((accountId) => ({ merchant, accountId })));
      const deposit = async (merchant: Merchant, accountId: string, amountMsat: number, random: () => number, pay: 'exact' | 'overpay' | 'unpaid') => {
        const created = await call<{ id: string; bolt11: string }>('POST', '/v1/invoices', random() < 0.5 ? merchant.invoiceKey : merchant.secretKey, { amount_msat: amountMsat, account_id: accountId }, [201], random);
        const record: DepositRecord = { invoiceId: created.body.id, accountId, bolt11: created.body.bolt11, paidOnNodeMsat: 0, paidInternallyMsat: 0 };
        deposits.set(record.invoiceId, record);
        if (pay !== 'unpaid') {
          const paidMsat = pay === 'overpay' ? amountMsat + 1_000 : amountMsat;
          const paid = stack.sim.payInvoice(record.bolt11, paidMsat);
          if (paid.status === 'settled') record.paidOnNodeMsat = paidMsat;
        }
        return record;
      };
      for (const { merchant, accountId } of accounts) await deposit(merchant, accountId, FUNDING_MSAT, Math.random, 'exact');
      await waitFor(
        async () => {
          for (const { accountId } of accounts) if ((await balance(stack, accountId)) < FUNDING_MSAT) return false;
          return true;
        },
        'funding credited',
        60_000,
      );

      // The workload, with every fault on.
      faults.on = true;
      let lowestBalance = Number.POSITIVE_INFINITY;
      let workloadDone = false;
      const sampler = (async () => {
        while (!workloadDone) {
          for (const { accountId } of accounts) lowestBalance = Math.min(lowestBalance, await balance(stack, accountId));
          await sleep(250);
        }
      })();

      const resolveHangs = (final: boolean) => {
        for (const withdrawal of withdrawals) {
          if (!withdrawal.resolveWith || withdrawal.resolved) continue;
          // Only a payment the node has in flight can be resolved; the bridge may not have sent it yet.
          if (stack.sim.paymentAttempts(withdrawal.paymentHash).attempts === 0) continue;
          if (!final && streamOf(seed, withdrawal.id)() < 0.5) continue;
          stack.sim.resolvePayment(withdrawal.paymentHash, withdrawal.resolveWith);
          withdrawal.resolved = true;
          counters.hangsResolved++;
        }
      };

      const faultLoop = (async () => {
        const random = streamOf(seed, 'faults');
        const [minPause, maxPause] = profile.faultPauseMs;
        while (!workloadDone) {
          await sleep(minPause + random() * (maxPause - minPause));
          if (workloadDone) break;
          const draw = random();
          if (draw < 0.3) {
            counters.bridgeKills++;
            await stack.pipeline.killBridge('SIGKILL');
            await sleep(200 + random() * 1_500);
            await startBridge(stack);
          } else if (draw < 0.6) {
            counters.streamDrops += stack.sim.dropStreams() > 0 ? 1 : 0;
          }
          resolveHangs(false);
        }
      })();

      const client = async (index: number) => {
        const random = streamOf(seed, `client-${index}`);
        const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
        for (let op = 0; op < profile.opsPerClient; op++) {
          const draw = random();
          if (draw < 0.3) {
            stats.ops.deposit++;
            const { merchant, accountId } = pick(accounts);
            const payDraw = random();
            await deposit(merchant, accountId, 10_000 + Math.floor(random() * 190_000), random, payDraw < 0.1 ? 'unpaid' : payDraw < 0.2 ? 'overpay' : 'exact');
          } else if (draw < 0.65) {
            stats.ops.withdrawal++;
            const { merchant, accountId } = pick(accounts);
            let outcomeDraw = random();
            const outcome = OUTCOMES.find(([, weight]) => (outcomeDraw -= weight) < 0)?.[0] ?? 'succeed';
            const amountMsat = 1_000 + Math.floor(random() * 99_000);
            const maxFeeMsat = random() < 0.3 ? Math.floor(random() * Math.min(5_000, amountMsat)) : undefined;
            const reserveLimit = maxFeeMsat ?? Math.max(Math.ceil(amountMsat / 100), 10_000);
            const feeMsat = Math.floor(random() * Math.min(reserveLimit, 2_000) + 0.5);
            const target = stack.sim.createOutsideInvoice({ amountMsat, outcome, feeMsat: Math.min(feeMsat, reserveLimit) });
            const answer = await call<WithdrawalItem & { error?: { code: string } }>(
              'POST',
              '/v1/withdrawals',
              merchant.secretKey,
              { bolt11: target.bolt11, account_id: accountId, ...(maxFeeMsat !== undefined ? { max_fee_msat: maxFeeMsat } : {}) },
              [202, 422],
              random,
            );
            if (answer.status === 422) {
              stats.refusedForFunds++;
              expect(answer.body.error?.code, replay).toBe('insufficient_funds');
              continue;
            }
            withdrawals.push({
              id: answer.body.id,
              accountId,
              paymentHash: target.paymentHash,
              amountMsat,
              feeReserveMsat: answer.body.fee_reserve_msat,
              internal: false,
              outcome,
              feeMsat: Math.min(feeMsat, reserveLimit),
              ...(outcome === 'hang' ? (random() < 0.6 ? { resolveWith: random() < 0.5 ? ('succeed' as const) : ('no_route' as const) } : {}) : {}),
            });
          } else if (draw < 0.85) {
            stats.ops.transfer++;
            const merchant = pick(merchants);
            const from = pick(merchant.accounts);
            const to = pick(merchant.accounts.filter((accountId) => accountId !== from));
            const amountMsat = 1_000 + Math.floor(random() * 300_000);
            const answer = await call<{ id: string; error?: { code: string } }>('POST', '/v1/transfers', merchant.secretKey, { from_account_id: from, to_account_id: to, amount_msat: amountMsat }, [201, 422], random);
            if (answer.status === 422) {
              stats.refusedForFunds++;
              expect(answer.body.error?.code, replay).toBe('insufficient_funds');
              continue;
            }
            transfers.push({ id: answer.body.id, from, to, amountMsat });
          } else {
            stats.ops.internal++;
            const payee = pick(accounts);
            const payer = pick(accounts.filter((account) => account.accountId !== payee.accountId));
            const amountMsat = 5_000 + Math.floor(random() * 95_000);
            const invoice = await deposit(payee.merchant, payee.accountId, amountMsat, random, 'unpaid');
            const answer = await call<WithdrawalItem & { error?: { code: string } }>('POST', '/v1/withdrawals', payer.merchant.secretKey, { bolt11: invoice.bolt11, account_id: payer.accountId }, [202, 422], random);
            if (answer.status === 422) {
              stats.refusedForFunds++;
              expect(answer.body.error?.code, replay).toBe('insufficient_funds');
              continue;
            }
            expect(answer.body, replay).toMatchObject({ internal: true, status: 'succeeded', fee_msat: 0, fee_reserve_msat: 0 });
            invoice.paidInternallyMsat = amountMsat;
            withdrawals.push({ id: answer.body.id, accountId: payer.accountId, paymentHash: answer.body.payment_hash, amountMsat, feeReserveMsat: 0, internal: true, outcome: 'internal', feeMsat: 0 });
            // Now and then an outside payer pays it too: refused if the node cancelled it, else a separate deposit.
            if (random() < 0.2) {
              const late = stack.sim.payInvoice(invoice.bolt11);
              if (late.status === 'settled') invoice.paidOnNodeMsat = amountMsat;
            }
          }
          await sleep(random() * 40);
        }
      };

      const started = Date.now();
      try {
        await Promise.all(Array.from({ length: profile.clients }, (_, index) => client(index)));
      } finally {
        workloadDone = true;
        await faultLoop;
        await sampler;
      }
      const workloadSec = (Date.now() - started) / 1000;

      /** What is stuck, where its payout message is, and what the bridge last said: for a failed wait. */
      const diagnose = async (): Promise<string> => {
        const lines: string[] = [];
        for (const withdrawal of withdrawals.filter((w) => !w.internal)) {
          const item = await readItem<WithdrawalItem>(stack, keys.withdrawal(withdrawal.id));
          const attempts = stack.sim.paymentAttempts(withdrawal.paymentHash);
          const hanging = withdrawal.outcome === 'hang' && !withdrawal.resolveWith;
          const done = hanging ? item?.status === 'in_flight' : (item?.status === 'succeeded' || item?.status === 'failed') && (!withdrawal.resolveWith || withdrawal.resolved);
          if (!done) lines.push(`stuck ${withdrawal.id} ${withdrawal.outcome}${withdrawal.resolveWith ? `→${withdrawal.resolveWith}` : ''}: status ${item?.status}, node attempts ${attempts.attempts}, settled ${attempts.settled}, hash ${withdrawal.paymentHash}`);
        }
        const describeQueue = async (name: string, items: Array<{ body: string; receive_count: number; visible_sk: string }>) =>
          `${name}: ${items.length} message(s) ${items.map((item) => `[${(JSON.parse(item.body) as { withdrawal_id?: string }).withdrawal_id ?? '?'} received ${item.receive_count}× visible ${item.visible_sk.slice(0, 15)}]`).join(' ')}`;
        lines.push(await describeQueue('payout queue', await stack.pipeline.payoutQueue.peekAll()));
        lines.push(await describeQueue('payout DLQ', await stack.pipeline.queues.deadLetterQueue(PAYOUT_QUEUE).peekAll()));
        lines.push(`now ${String(Date.now()).padStart(15, '0')}; bridge running: ${stack.pipeline.bridge?.running}`);
        lines.push(...(stack.pipeline.bridge?.logs().slice(-15) ?? []));
        return lines.join('\n');
      };

      // Everything clean again; the bridge up; the hangs that are to be resolved, resolved.
      faults.on = false;
      if (!stack.pipeline.bridge?.running) await startBridge(stack);
      await waitFor(
        () => {
          resolveHangs(true);
          return withdrawals.every((withdrawal) => !withdrawal.resolveWith || withdrawal.resolved);
        },
        'every hang to resolve in flight and resolved',
        profile.settleTimeoutMs,
        diagnose,
      );
      const settled = [...deposits.values()].filter((record) => record.paidOnNodeMsat > 0 || record.paidInternallyMsat > 0);
      await waitFor(
        async () => {
          for (const record of settled) if ((await readItem<InvoiceItem>(stack, keys.invoice(record.invoiceId)))?.status !== 'paid') return false;
          for (const withdrawal of withdrawals) {
            const status = (await readItem<WithdrawalItem>(stack, keys.withdrawal(withdrawal.id)))?.status;
            const hanging = withdrawal.outcome === 'hang' && !withdrawal.resolveWith;
            if (hanging ? status !== 'in_flight' : status !== 'succeeded' && status !== 'failed') return false;
          }
          return true;
        },
        'every settlement credited and every payment final',
        profile.settleTimeoutMs,
        diagnose,
      );
      // Late deposits of internally paid invoices have no status change to wait for: wait for their entries.
      const entriesByAccount = new Map<string, LedgerEntryItem[]>();
      const loadLedgers = async () => {
        for (const { accountId } of accounts) entriesByAccount.set(accountId, await allLedgerEntries(stack.checks, accountId));
      };
      const depositEntries = (invoiceId: string) => [...entriesByAccount.values()].flat().filter((entry) => entry.type === 'deposit' && entry.reference_id === invoiceId);
      await waitFor(
        async () => {
          await loadLedgers();
          return settled.every((record) => depositEntries(record.invoiceId).length >= (record.paidOnNodeMsat > 0 ? 1 : 0) + (record.paidInternallyMsat > 0 ? 1 : 0));
        },
        'every late deposit credited',
        profile.settleTimeoutMs,
      );
      // Nothing may still be on its way (a duplicate credit would arrive late): the queues drain.
      await waitFor(async () => (await stack.pipeline.settleInvoiceQueue.peekAll()).length === 0 && (await stack.pipeline.payoutResultQueue.peekAll()).length === 0, 'consumer queues drained', 60_000);
      await loadLedgers();

      const violations: string[] = [];
      const fail = (message: string) => violations.push(message);

      // 1 and 2: no negative balance, the ledger sums to the balance, for every account.
      let totalBalance = 0;
      if (lowestBalance < 0) fail(`a balance went negative during the run: ${lowestBalance}`);
      for (const { accountId } of accounts) {
        const balanceMsat = await balance(stack, accountId);
        totalBalance += balanceMsat;
        const sum = entriesByAccount.get(accountId)!.reduce((total, entry) => total + entry.amount_msat, 0);
        if (balanceMsat < 0) fail(`${accountId}: balance ${balanceMsat} < 0`);
        if (sum !== balanceMsat) fail(`${accountId}: ledger sums to ${sum}, balance is ${balanceMsat}`);
      }

      // 3: every settled invoice credited exactly once (twice when paid internally and then on the node too), for what arrived.
      for (const record of deposits.values()) {
        const entries = depositEntries(record.invoiceId);
        const expectedCount = (record.paidOnNodeMsat > 0 ? 1 : 0) + (record.paidInternallyMsat > 0 ? 1 : 0);
        const credited = entries.reduce((total, entry) => total + entry.amount_msat, 0);
        if (entries.length !== expectedCount) fail(`${record.invoiceId}: ${entries.length} deposit entries, expected ${expectedCount}`);
        if (credited !== record.paidOnNodeMsat + record.paidInternallyMsat) fail(`${record.invoiceId}: credited ${credited}, received ${record.paidOnNodeMsat + record.paidInternallyMsat}`);
        if (entries.some((entry) => entry.account_id !== record.accountId)) fail(`${record.invoiceId}: credited to another account`);
      }

      // 4: a hash paid at most once; refunds only after a failure; in-flight never refunded; the outcome the node reported.
      let outstandingMsat = 0;
      let spentMsat = 0;
      for (const withdrawal of withdrawals) {
        const item = (await readItem<WithdrawalItem>(stack, keys.withdrawal(withdrawal.id)))!;
        const entries = entriesByAccount.get(withdrawal.accountId)!.filter((entry) => entry.reference_id === withdrawal.id);
        const net = entries.reduce((total, entry) => total + entry.amount_msat, 0);
        const types = entries.map((entry) => entry.type);
        if (new Set(types).size !== types.length) fail(`${withdrawal.id}: a ledger entry type repeats: ${types.join(', ')}`);
        if (withdrawal.internal) {
          if (item.status !== 'succeeded' || net !== -withdrawal.amountMsat) fail(`${withdrawal.id} (internal): ${item.status}, net ${net}`);
          if (stack.sim.paymentAttempts(withdrawal.paymentHash).attempts !== 0) fail(`${withdrawal.id} (internal): the node tried to pay it`);
          continue;
        }
        const attempts = stack.sim.paymentAttempts(withdrawal.paymentHash);
        if (attempts.attempts > 1) fail(`${withdrawal.id}: the node tried to pay hash ${withdrawal.paymentHash} ${attempts.attempts} times`);
        const expectedStatus =
          withdrawal.outcome === 'succeed' ? 'succeeded' : withdrawal.outcome === 'hang' ? (withdrawal.resolveWith === undefined ? 'in_flight' : withdrawal.resolveWith === 'succeed' ? 'succeeded' : 'failed') : 'failed';
        if (item.status !== expectedStatus) fail(`${withdrawal.id} (${withdrawal.outcome}${withdrawal.resolveWith ? ` → ${withdrawal.resolveWith}` : ''}): ${item.status}, expected ${expectedStatus}`);
        if (item.status === 'succeeded') {
          if (!attempts.settled) fail(`${withdrawal.id}: succeeded but the node did not settle it`);
          if (item.fee_msat !== withdrawal.feeMsat || (item.fee_msat ?? 0) > item.fee_reserve_msat) fail(`${withdrawal.id}: fee ${item.fee_msat}, node fee ${withdrawal.feeMsat}, reserve ${item.fee_reserve_msat}`);
          if (net !== -(withdrawal.amountMsat + withdrawal.feeMsat)) fail(`${withdrawal.id}: succeeded, net ${net}`);
          if (types.includes('withdrawal_refund')) fail(`${withdrawal.id}: succeeded but refunded`);
          spentMsat += withdrawal.amountMsat + withdrawal.feeMsat;
        } else if (item.status === 'failed') {
          if (attempts.settled) fail(`${withdrawal.id}: failed but the node settled it`);
          if (net !== 0) fail(`${withdrawal.id}: failed, net ${net} (refund missing or doubled)`);
        } else {
          if (types.some((type) => type === 'withdrawal_refund' || type === 'fee_refund')) fail(`${withdrawal.id}: in flight but refunded`);
          if (net !== -(withdrawal.amountMsat + withdrawal.feeReserveMsat)) fail(`${withdrawal.id}: in flight, net ${net}`);
          outstandingMsat += withdrawal.amountMsat + withdrawal.feeReserveMsat;
        }
      }
      for (const transfer of transfers) {
        const out = entriesByAccount.get(transfer.from)!.filter((entry) => entry.reference_id === transfer.id);
        const into = entriesByAccount.get(transfer.to)!.filter((entry) => entry.reference_id === transfer.id);
        if (out.length !== 1 || out[0]!.amount_msat !== -transfer.amountMsat || into.length !== 1 || into[0]!.amount_msat !== transfer.amountMsat) {
          fail(`${transfer.id}: entries ${JSON.stringify([...out, ...into].map((entry) => [entry.type, entry.amount_msat]))}`);
        }
      }

      // Money is conserved: what the node received, less what it paid out (with fees) and what is still in flight.
      const receivedMsat = [...deposits.values()].reduce((total, record) => total + record.paidOnNodeMsat, 0);
      if (totalBalance !== receivedMsat - spentMsat - outstandingMsat) {
        fail(`balances sum to ${totalBalance}; received ${receivedMsat} − paid out ${spentMsat} − in flight ${outstandingMsat} = ${receivedMsat - spentMsat - outstandingMsat}`);
      }

      // 5: nothing given up on: the consumers' DLQs, the rule targets' DLQ, the outbox failures and the payout DLQ are empty.
      for (const queue of [SETTLE_INVOICE_QUEUE, PAYOUT_RESULT_QUEUE]) {
        const dead = await stack.pipeline.queues.deadLetterQueue(queue).peekAll();
        if (dead.length > 0) fail(`${dead.length} event(s) dead-lettered by the ${queue} queue`);
      }
      for (const queue of [stack.pipeline.queues.queue(RULE_TARGET_FAILURES_QUEUE), stack.pipeline.outboxFailuresQueue]) {
        const parked = await queue.peekAll();
        if (parked.length > 0) fail(`${parked.length} message(s) in ${queue.name}`);
      }
      const payoutDead = await stack.pipeline.queues.deadLetterQueue(PAYOUT_QUEUE).peekAll();
      if (payoutDead.length > 0) fail(`${payoutDead.length} payout message(s) dead-lettered`);

      // The finance report's reconciliation over the live table: every check passes.
      const reportDir = await mkdtemp(path.join(tmpdir(), 'chaos-report-'));
      let reportOutput = '';
      const capture = new Writable({
        write(chunk, _encoding, done) {
          reportOutput += String(chunk);
          done();
        },
      });
      try {
        const code = await reportMain(['--table', stack.tableName, '--out', reportDir, '--quiet'], { stdout: capture, stderr: capture }, { env: { DYNAMODB_ENDPOINT: stack.endpoint } });
        if (code !== 0) fail(`the report's reconciliation exits ${code}:\n${reportOutput}`);
      } finally {
        await rm(reportDir, { recursive: true, force: true });
      }

      const summary = {
        seed,
        profile: profileName,
        workloadSec: Math.round(workloadSec),
        ops: stats.ops,
        requests: stats.requests,
        retriedRequests: stats.retries,
        refusedForFunds: stats.refusedForFunds,
        deposits: deposits.size,
        withdrawals: withdrawals.length,
        transfers: transfers.length,
        hangsLeftInFlight: withdrawals.filter((withdrawal) => withdrawal.outcome === 'hang' && !withdrawal.resolveWith).length,
        faults: counters,
      };
      console.log(`chaos: ${JSON.stringify(summary)}`);
      expect(violations, `${replay}\n${violations.join('\n')}`).toEqual([]);
      // The faults really happened (a run that injected nothing proves nothing).
      expect(counters.bridgeKills + counters.streamDrops, replay).toBeGreaterThan(0);
      expect(Object.values(counters.throttled).reduce((total, n) => total + n, 0), replay).toBeGreaterThan(0);
    } finally {
      await stack.stop();
    }
  });
});

async function startBridge(stack: ChaosStack): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await stack.pipeline.startBridge();
      return;
    } catch (error) {
      if (stack.pipeline.bridge?.running) return;
      if (attempt >= 3) throw error;
    }
  }
}

async function readItem<T>(stack: ChaosStack, key: { pk: string; sk: string }): Promise<T | undefined> {
  const { Item } = await stack.checks.doc.send(new GetCommand({ TableName: stack.tableName, Key: key, ConsistentRead: true }));
  return Item as T | undefined;
}

async function balance(stack: ChaosStack, accountId: string): Promise<number> {
  return (await readItem<AccountItem>(stack, keys.account(accountId)))?.balance_msat ?? 0;
}
