import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { IdPrefix, newId } from '../../functions/lib/ids';
import { debitWithdrawal } from '../../functions/lib/ledger/debit-withdrawal';
import { keys } from '../../functions/lib/table/keys';
import { newWithdrawalItem, type WithdrawalItem } from '../../functions/lib/withdrawals/withdrawal';
import { parkedOutboxRecordBody, parseOutboxFailure } from '../../functions/outbox/parked-record';
import { runAdmin } from '../../scripts/admin';
import { expectLedgerConsistent, randomHash } from '../support/ledger-fixtures';
import { usePipelineHarness, waitUntil, type PipelineHarness } from '../support/pipeline-harness';
import { dynamoDbEndpoint } from '../support/table';

const FUNDS = 1_000_000;

type Line = Record<string, unknown> & { summary?: Record<string, unknown> };

describe('outbox failures: parked with their data, alarmed, and re-driven by outbox:redrive', () => {
  const h = usePipelineHarness();
  const env = () => ({ DYNAMODB_ENDPOINT: dynamoDbEndpoint(), TABLE_NAME: h.table.name, AWS_REGION: 'us-east-1' });
  const admin = async (...argv: string[]): Promise<{ lines: Line[]; summary: Record<string, unknown> }> => {
    const printed: string[] = [];
    await runAdmin(argv, env(), (line) => printed.push(line));
    const all = printed.map((line) => JSON.parse(line) as Line);
    const summary = all.at(-1)?.summary;
    expect(summary, 'the last line is the summary').toBeDefined();
    return { lines: all.slice(0, -1), summary: summary! };
  };
  const linesFor = (lines: Line[], withdrawalId: string) => lines.filter((line) => line.pk === keys.withdrawal(withdrawalId).pk);

  /** The bodies in the outbox failures queue that park this withdrawal's record. */
  const parkedFor = async (withdrawalId: string) =>
    (await h.pipeline.outboxFailuresQueue.peekAll()).filter((item) => {
      const failure = parseOutboxFailure(item.body);
      return failure.kind === 'outbox_record' && failure.parked.record.dynamodb.Keys.pk?.S === keys.withdrawal(withdrawalId).pk;
    });

  /** A withdrawal as POST /v1/withdrawals writes it (debit, lock, ledger), but with an empty bolt11: no payout message can be made of it. */
  async function brokenWithdrawal(harness: PipelineHarness, amountMsat: number, feeReserveMsat: number) {
    const { merchantId, accountId } = await harness.newAccount({ fundMsat: FUNDS });
    const outside = harness.sim.createOutsideInvoice({ amountMsat, outcome: 'succeed', feeMsat: 500 });
    const withdrawal = await debitWithdrawal(harness.table, {
      id: newId(IdPrefix.withdrawal),
      merchantId,
      accountId,
      amountMsat,
      feeReserveMsat,
      paymentHash: outside.paymentHash,
      bolt11: '',
      createdAt: new Date().toISOString(),
    });
    return { withdrawal, accountId, outside };
  }

  /** The operator's fix: the field put right with an update (a MODIFY, which the outbox never sends on). */
  const fixBolt11 = (withdrawal: WithdrawalItem, bolt11: string) =>
    h.table.doc.send(
      new UpdateCommand({
        TableName: h.table.name,
        Key: keys.withdrawal(withdrawal.id),
        UpdateExpression: 'SET bolt11 = :bolt11',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':bolt11': bolt11, ':pending': 'pending' },
      }),
    );

  const waitSucceeded = (id: string) =>
    waitUntil(async () => ((await h.readWithdrawal(id)).status === 'succeeded' ? true : undefined), { message: `withdrawal ${id} succeeded`, timeoutMs: 30_000 });

  it('a withdrawal the outbox cannot send is parked with its data; fixed in the table and redriven, it is paid once and the ledger adds up', async () => {
    const { withdrawal, accountId, outside } = await brokenWithdrawal(h, 80_000, 2_000);

    const [parkedItem] = await waitUntil(async () => ((await parkedFor(withdrawal.id)).length > 0 ? parkedFor(withdrawal.id) : undefined), { message: 'record parked' });
    const parsed = parseOutboxFailure(parkedItem!.body);
    if (parsed.kind !== 'outbox_record') throw new Error(`parked as ${parsed.kind}`);
    expect(parsed.parked.reason).toMatch(/bolt11/);
    expect(parsed.parked.record.dynamodb.NewImage?.bolt11).toEqual({ S: '' });
    expect(parsed.parked.record.dynamodb.NewImage?.payment_hash).toEqual({ S: outside.paymentHash });
    expect(h.counters.get('OutboxRecordParked')).toBeGreaterThanOrEqual(1);
    // Nothing went to the node, and the money stays reserved.
    expect((await h.pipeline.payoutQueue.peekAll()).filter((item) => item.body.includes(withdrawal.id))).toEqual([]);
    expect((await h.readWithdrawal(withdrawal.id)).status).toBe('pending');
    expect(await h.balance(accountId)).toBe(FUNDS - 82_000);

    await fixBolt11(withdrawal, outside.bolt11);
    const { lines, summary } = await admin('outbox:redrive');

    expect(linesFor(lines, withdrawal.id)).toEqual([
      expect.objectContaining({ kind: 'outbox_record', outcome: 'redriven', sent: 'payout', entity: 'withdrawal', status: 'pending', deleted: true, parked_reason: parsed.parked.reason }),
    ]);
    expect(summary).toMatchObject({ queue: 'outbox-failures', dry_run: false, received: 1, deleted: 1, left: 0, outcomes: { redriven: 1 } });
    expect(await parkedFor(withdrawal.id)).toEqual([]);

    await waitSucceeded(withdrawal.id);
    expect(h.sim.paymentAttempts(outside.paymentHash)).toEqual({ attempts: 1, settled: true });
    expect(await h.balance(accountId)).toBe(FUNDS - 80_500);
    await expectLedgerConsistent(h.table, [accountId]);

    // A second copy of the parked record (the stream delivers at least once) finds the work done.
    await h.pipeline.outboxFailuresQueue.send(parkedItem!.body);
    const again = await admin('outbox:redrive');
    expect(linesFor(again.lines, withdrawal.id)).toEqual([expect.objectContaining({ outcome: 'already_handled', status: 'succeeded', deleted: true })]);
    expect(await parkedFor(withdrawal.id)).toEqual([]);
    expect(h.sim.paymentAttempts(outside.paymentHash).attempts).toBe(1);
  });

  it('leaves what still fails, visible again at once; a dry run sends and deletes nothing; a gone item stays reported', async () => {
    const { withdrawal, accountId, outside } = await brokenWithdrawal(h, 40_000, 1_000);
    await waitUntil(async () => (await parkedFor(withdrawal.id)).length > 0, { message: 'record parked' });

    // Not fixed yet: reported, left, and visible for the next run straight away.
    const first = await admin('outbox:redrive');
    const [stillFailing] = linesFor(first.lines, withdrawal.id);
    expect(stillFailing).toMatchObject({ outcome: 'still_failing', reason: expect.stringMatching(/bolt11/), deleted: false, runbook: 'docs/RUNBOOK.md#outboxnotempty' });
    expect(first.summary).toMatchObject({ left: 1, deleted: 0 });
    const second = await admin('outbox:redrive');
    expect(linesFor(second.lines, withdrawal.id)).toEqual([expect.objectContaining({ outcome: 'still_failing', receive_count: (stillFailing!.receive_count as number) + 1 })]);

    await fixBolt11(withdrawal, outside.bolt11);
    const dry = await admin('outbox:redrive', '--dry-run');
    expect(linesFor(dry.lines, withdrawal.id)).toEqual([expect.objectContaining({ outcome: 'would_redrive', sends: 'payout', deleted: false })]);
    expect(dry.summary).toMatchObject({ dry_run: true, deleted: 0 });
    expect((await h.pipeline.payoutQueue.peekAll()).filter((item) => item.body.includes(withdrawal.id))).toEqual([]);
    expect(await parkedFor(withdrawal.id)).toHaveLength(1);
    expect((await h.readWithdrawal(withdrawal.id)).status).toBe('pending');

    const real = await admin('outbox:redrive');
    expect(linesFor(real.lines, withdrawal.id)).toEqual([expect.objectContaining({ outcome: 'redriven', deleted: true })]);
    await waitSucceeded(withdrawal.id);
    expect(h.sim.paymentAttempts(outside.paymentHash).attempts).toBe(1);
    await expectLedgerConsistent(h.table, [accountId]);

    // A parked record whose item is no longer in the table: reported and kept for the operator.
    const ghost = newWithdrawalItem({
      id: newId(IdPrefix.withdrawal),
      merchantId: newId(IdPrefix.merchant),
      accountId: newId(IdPrefix.account),
      amountMsat: 1_000,
      feeReserveMsat: 0,
      paymentHash: randomHash(),
      bolt11: '',
      createdAt: new Date().toISOString(),
    });
    await h.pipeline.outboxFailuresQueue.send(
      parkedOutboxRecordBody(
        { eventID: 'ghost', eventName: 'INSERT', dynamodb: { Keys: marshall({ pk: ghost.pk, sk: ghost.sk }) as never, NewImage: marshall(ghost) as never, SequenceNumber: '42' } },
        'bolt11: Too small',
      ),
    );
    const gone = await admin('outbox:redrive');
    expect(linesFor(gone.lines, ghost.id)).toEqual([expect.objectContaining({ outcome: 'item_gone', sequence_number: '42', deleted: false })]);
    expect(await parkedFor(ghost.id)).toHaveLength(1);
    await drain();
  });

  it('prints stream batch descriptions and keeps them unless --discard-batch-descriptions; keeps what it cannot read', async () => {
    const description = {
      requestContext: { requestId: 'req-1', functionArn: 'arn:aws:lambda:local:000000000000:function:outbox', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 1001 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2026-01-02T03:04:05.000Z',
      DDBStreamBatchInfo: {
        shardId: 'shardId-000001',
        startSequenceNumber: '100',
        endSequenceNumber: '150',
        approximateArrivalOfFirstRecord: '2026-01-02T03:00:00Z',
        approximateArrivalOfLastRecord: '2026-01-02T03:00:05Z',
        batchSize: 7,
        streamArn: 'arn:aws:dynamodb:local:000000000000:table/t/stream/x',
      },
    };
    await h.pipeline.outboxFailuresQueue.send(JSON.stringify(description));
    await h.pipeline.outboxFailuresQueue.send('{"not": "ours"}');

    const kept = await admin('outbox:redrive');
    expect(kept.lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'stream_batch',
          outcome: 'needs_operator',
          condition: 'RetryAttemptsExhausted',
          shard_id: 'shardId-000001',
          start_sequence_number: '100',
          end_sequence_number: '150',
          first_record_at: '2026-01-02T03:00:00Z',
          last_record_at: '2026-01-02T03:00:05Z',
          batch_size: 7,
          runbook: 'docs/RUNBOOK.md#outboxnotempty',
          deleted: false,
        }),
        expect.objectContaining({ kind: 'unrecognised', outcome: 'unrecognised', deleted: false }),
      ]),
    );
    expect(kept.summary).toMatchObject({ received: 2, left: 2, deleted: 0 });

    const dry = await admin('outbox:redrive', '--discard-batch-descriptions', '--dry-run');
    expect(dry.lines.find((line) => line.kind === 'stream_batch')).toMatchObject({ outcome: 'needs_operator', deleted: false });

    const discarded = await admin('outbox:redrive', '--discard-batch-descriptions');
    expect(discarded.lines.find((line) => line.kind === 'stream_batch')).toMatchObject({ outcome: 'discarded', deleted: true });
    const remaining = (await h.pipeline.outboxFailuresQueue.peekAll()).map((item) => item.body);
    expect(remaining).toEqual(['{"not": "ours"}']);
    await drain();
  });

  it('refuses bad arguments with a sentence, before touching anything', async () => {
    await expect(admin('outbox:redrive', '--max-messages', '0')).rejects.toThrow(/--max-messages needs a whole number/);
    await expect(admin('outbox:redrive', '--name', 'x')).rejects.toThrow(/outbox:redrive does not take --name/);
    await expect(admin('merchant:create', '--name', 'Shop', '--dry-run')).rejects.toThrow(/merchant:create does not take --dry-run/);
    await expect(admin('outbox:redrive', '--queue-url', 'https://sqs.eu-west-1.amazonaws.com/1/q')).rejects.toThrow(/--queue-url is for AWS/);
    const aws = { AWS_PROFILE: 'prod', TABLE_NAME: 'Stack-Table', AWS_REGION: 'eu-west-1' };
    await expect(runAdmin(['outbox:redrive'], aws, () => {})).rejects.toThrow(/--queue-url URL or OUTBOX_FAILURES_QUEUE_URL/);
    await expect(runAdmin(['outbox:redrive', '--queue-url', 'not a url'], aws, () => {})).rejects.toThrow(/--queue-url needs the URL/);
    await expect(runAdmin(['outbox:redrive'], { ...aws, OUTBOX_FAILURES_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/q' }, () => {})).rejects.toThrow(
      /PAYOUT_QUEUE_URL must be the URL of the payout queue; INVOICE_CANCEL_QUEUE_URL .*; EVENT_BUS_NAME/,
    );
    await expect(admin('outbox:redrive', '--max-messages', '1', '--dry-run')).resolves.toMatchObject({ summary: { dry_run: true } });
  });

  /** Empties the outbox failures queue (what a test left there on purpose). */
  async function drain() {
    for (;;) {
      const messages = await h.pipeline.outboxFailuresQueue.receive({ maxMessages: 10, waitTimeSec: 0 });
      if (messages.length === 0) return;
      for (const message of messages) await h.pipeline.outboxFailuresQueue.delete(message.receiptHandle);
    }
  }
});
