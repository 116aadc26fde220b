import { EventBridgeClient, EventBridgeServiceException, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { BusSource, NodeDetailType } from '../../functions/lib/bus/bus-events';
import type { BusEntry } from '../../functions/lib/bus/event-bus';
import { EventBridgeBus } from '../../functions/lib/bus/eventbridge-bus';
import { publishAll, PublishAbortedError } from '../../functions/lib/bus/publish';
import { SqsQueue } from '../../functions/lib/queue/sqs-queue';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/payouts';

const entry = (n: number): BusEntry => ({ source: BusSource.node, detailType: NodeDetailType.invoiceSettled, detail: { n } });

const throttled = () =>
  new EventBridgeServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });

describe('SqsQueue', () => {
  const sqs = mockClient(SQSClient);
  afterEach(() => sqs.reset());
  const queue = () => new SqsQueue(new SQSClient({ region: 'eu-west-1' }), QUEUE_URL);

  it('is named after the last part of its URL', () => {
    expect(queue().name).toBe('payouts');
  });

  it('sends the body, with a delay clamped to what SQS allows', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });

    await queue().send('{"a":1}');
    await queue().send('{"a":2}', { delaySec: 5_000 });

    const calls = sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
    expect(calls).toEqual([
      { QueueUrl: QUEUE_URL, MessageBody: '{"a":1}' },
      { QueueUrl: QUEUE_URL, MessageBody: '{"a":2}', DelaySeconds: 900 },
    ]);
  });

  it('long-polls with SQS limits and maps id, body, receipt handle and receive count', async () => {
    sqs.on(ReceiveMessageCommand).resolves({
      Messages: [
        { MessageId: 'm-1', Body: 'one', ReceiptHandle: 'r-1', Attributes: { ApproximateReceiveCount: '3' } },
        { MessageId: 'm-2', Body: 'two', ReceiptHandle: 'r-2' },
      ],
    });

    const messages = await queue().receive({ maxMessages: 50, waitTimeSec: 60, visibilityTimeoutSec: 90 });

    expect(messages).toEqual([
      { id: 'm-1', body: 'one', receiptHandle: 'r-1', receiveCount: 3 },
      { id: 'm-2', body: 'two', receiptHandle: 'r-2', receiveCount: 1 },
    ]);
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: QUEUE_URL,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 20,
      VisibilityTimeout: 90,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    });
  });

  it('returns nothing when shutdown aborts the long poll', async () => {
    const controller = new AbortController();
    sqs.on(ReceiveMessageCommand).callsFake(async () => {
      controller.abort();
      throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    });

    expect(await queue().receive({ maxMessages: 1, waitTimeSec: 20, signal: controller.signal })).toEqual([]);
  });

  it('still throws a receive failure that is not a shutdown', async () => {
    sqs.on(ReceiveMessageCommand).rejects(new Error('network down'));

    await expect(queue().receive({ maxMessages: 1, waitTimeSec: 1 })).rejects.toThrow('network down');
  });

  it('deletes and changes visibility by receipt handle', async () => {
    sqs.on(DeleteMessageCommand).resolves({});
    sqs.on(ChangeMessageVisibilityCommand).resolves({});

    await queue().delete('r-1');
    await queue().changeVisibility('r-2', 30);

    expect(sqs.commandCalls(DeleteMessageCommand)[0]!.args[0].input).toEqual({ QueueUrl: QUEUE_URL, ReceiptHandle: 'r-1' });
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]!.args[0].input).toEqual({
      QueueUrl: QUEUE_URL,
      ReceiptHandle: 'r-2',
      VisibilityTimeout: 30,
    });
  });
});

const eventBridge = mockClient(EventBridgeClient);
afterEach(() => eventBridge.reset());

describe('EventBridgeBus', () => {
  const bus = () => new EventBridgeBus(new EventBridgeClient({ region: 'eu-west-1' }), 'payments-bus');

  it('puts entries on the named bus with the detail as JSON', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

    expect(await bus().putEvents([entry(1)])).toEqual({ failed: [] });
    expect(eventBridge.commandCalls(PutEventsCommand)[0]!.args[0].input).toEqual({
      Entries: [{ EventBusName: 'payments-bus', Source: BusSource.node, DetailType: NodeDetailType.invoiceSettled, Detail: '{"n":1}' }],
    });
  });

  it('reports the entries a partially failed PutEvents refused, by index', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 2,
      Entries: [
        { EventId: 'e-1' },
        { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' },
        { EventId: 'e-3' },
        { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' },
      ],
    });

    const result = await bus().putEvents([entry(1), entry(2), entry(3), entry(4)]);

    expect(result.failed).toEqual([
      { index: 1, errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' },
      { index: 3, errorCode: 'InternalFailure', errorMessage: 'try again' },
    ]);
  });

  it('never counts an entry without an event id as published', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

    const result = await bus().putEvents([entry(1), entry(2)]);

    expect(result.failed.map((failure) => failure.index)).toEqual([1]);
  });

  it('refuses more than 10 entries per call, as EventBridge does', async () => {
    await expect(bus().putEvents(Array.from({ length: 11 }, (_, n) => entry(n)))).rejects.toThrow(RangeError);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('throws when the whole call is throttled, so the caller retries the batch', async () => {
    eventBridge.on(PutEventsCommand).rejects(throttled());

    await expect(bus().putEvents([entry(1)])).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});

describe('publishAll over EventBridge', () => {
  const bus = () => new EventBridgeBus(new EventBridgeClient({ region: 'eu-west-1' }), 'payments-bus');
  const sentDetails = () =>
    eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries!.map((sent) => JSON.parse(sent.Detail!).n as number));

  it('retries only the refused entries until all are accepted, 10 per call', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 2,
        Entries: Array.from({ length: 10 }, (_, i) => (i === 2 || i === 7 ? { ErrorCode: 'InternalFailure' } : { EventId: `e-${i}` })),
      })
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException' }, { EventId: 'e-7' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-x' }, { EventId: 'e-y' }] });

    await publishAll(
      bus(),
      Array.from({ length: 12 }, (_, n) => entry(n)),
      { baseMs: 1, maxMs: 2 },
    );

    expect(sentDetails()).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [2, 7], [2], [10, 11]]);
  });

  it('retries the whole batch after a throttled call', async () => {
    eventBridge
      .on(PutEventsCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }, { EventId: 'e-2' }] });

    await publishAll(bus(), [entry(1), entry(2)], { baseMs: 1, maxMs: 2 });

    expect(sentDetails()).toEqual([
      [1, 2],
      [1, 2],
      [1, 2],
    ]);
  });

  it('gives up after maxAttempts and says how many were not published', async () => {
    // Entry 2 is refused every time.
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: Array<{ Detail: string }> }) => ({
      FailedEntryCount: 1,
      Entries: input.Entries.map((sent) => (JSON.parse(sent.Detail).n === 2 ? { ErrorCode: 'InternalFailure' } : { EventId: 'e' })),
    }));

    const attempt = publishAll(bus(), [entry(1), entry(2)], { baseMs: 1, maxMs: 2, maxAttempts: 3 });

    await expect(attempt).rejects.toBeInstanceOf(PublishAbortedError);
    await expect(attempt).rejects.toMatchObject({ unpublished: 1 });
    expect(sentDetails()).toEqual([[1, 2], [2], [2]]);
  });
});
