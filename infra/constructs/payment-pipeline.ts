import { Duration } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BusSource, LedgerDetailType, NodeDetailType } from '../../functions/lib/bus/bus-events';
import { delivery, type ConsumerDelivery, type RuleTargetDelivery } from '../delivery';
import { DurableQueue } from './durable-queue';
import { ServiceFunction } from './service-function';
import { grantTableAccess, LeadingKey } from './table-access';

export interface PaymentPipelineProps {
  readonly table: dynamodb.TableV2;
  /** How long the bus archive keeps events for replay. @default 30 days */
  readonly archiveRetention?: Duration;
}

/**
 * Where money actually moves. The table's stream (the outbox) feeds new withdrawals to the
 * payout queue, node-cancel requests to the cancel queue and domain events to the bus; the
 * bridge's reports (settlements, payment results) come back over the bus to the consumers
 * that apply them to the ledger, each through a queue of its own (see feedFromBus).
 * Every delivery setting comes from infra/delivery.ts.
 */
export class PaymentPipeline extends Construct {
  public readonly bus: events.EventBus;
  public readonly payoutQueue: DurableQueue;
  public readonly cancelQueue: DurableQueue;
  public readonly outbox: ServiceFunction;
  public readonly outboxFailures: DurableQueue;
  public readonly settleInvoice: ServiceFunction;
  public readonly payoutResult: ServiceFunction;
  /** Queue (with DLQ) between each bus rule and its consumer function: settle-invoice, payout-result, webhook fan-out. */
  public readonly consumerQueues: DurableQueue[] = [];
  public readonly settleInvoiceQueue: DurableQueue;
  public readonly payoutResultQueue: DurableQueue;
  /** Events EventBridge could not hand off to a target (its rule-target DLQ). */
  public readonly ruleTargetFailures: sqs.Queue;

  constructor(scope: Construct, id: string, props: PaymentPipelineProps) {
    super(scope, id);
    const { table } = props;

    this.bus = new events.EventBus(this, 'Bus');
    this.bus.archive('Archive', {
      eventPattern: { source: [BusSource.node, BusSource.ledger] },
      retention: props.archiveRetention ?? Duration.days(30),
    });

    // The bridge keeps a payout message invisible while the payment is in flight and
    // extends it; the DLQ only catches messages the bridge could not even start.
    this.payoutQueue = new DurableQueue(this, 'PayoutQueue', { delivery: delivery.queues.payout });
    this.cancelQueue = new DurableQueue(this, 'CancelQueue', { delivery: delivery.queues.invoiceCancel });
    this.outboxFailures = new DurableQueue(this, 'OutboxFailures', { delivery: delivery.queues.outboxFailures });
    this.ruleTargetFailures = new sqs.Queue(this, 'RuleTargetFailures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(delivery.ruleTargetFailures.retentionSec),
    });

    this.outbox = new ServiceFunction(this, 'Outbox', {
      entry: 'functions/outbox/handler.ts',
      environment: {
        PAYOUT_QUEUE_URL: this.payoutQueue.queue.queueUrl,
        INVOICE_CANCEL_QUEUE_URL: this.cancelQueue.queue.queueUrl,
        EVENT_BUS_NAME: this.bus.eventBusName,
        OUTBOX_FAILURES_QUEUE_URL: this.outboxFailures.queue.queueUrl,
      },
    });
    this.outbox.function.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: delivery.stream.batchSize,
        bisectBatchOnError: delivery.stream.bisectBatchOnError,
        reportBatchItemFailures: true,
        retryAttempts: delivery.stream.retryAttempts,
        maxRecordAge: Duration.seconds(delivery.stream.maxRecordAgeSec),
        // Lambda sends only the batch's description here; the outbox itself parks a record
        // that can never succeed, with its data, in the same queue.
        onFailure: new SqsDlq(this.outboxFailures.queue),
        // Only inserts of what the outbox carries: everything else never wakes the function.
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.isEqual('INSERT'),
            dynamodb: { NewImage: { entity: { S: lambda.FilterRule.or('withdrawal', 'event', 'node_invoice_cancel') } } },
          }),
        ],
      }),
    );
    this.payoutQueue.queue.grantSendMessages(this.outbox.function);
    this.cancelQueue.queue.grantSendMessages(this.outbox.function);
    this.outboxFailures.queue.grantSendMessages(this.outbox.function);
    this.bus.grantPutEventsTo(this.outbox.function);

    const consumer = (id: string, entry: string) =>
      new ServiceFunction(this, id, {
        entry,
        environment: { TABLE_NAME: table.tableName },
        timeout: Duration.seconds(delivery.queues.settleInvoice.functionTimeoutSec),
      });
    this.settleInvoice = consumer('SettleInvoice', 'functions/settle-invoice/handler.ts');
    this.payoutResult = consumer('PayoutResult', 'functions/payout-result/handler.ts');
    grantTableAccess(table, this.settleInvoice.function, { items: [{ actions: ['GetItem'], keys: [LeadingKey.paymentHash] }, { actions: ['GetItem', 'UpdateItem'], keys: [LeadingKey.invoice] }, { actions: ['PutItem'], keys: [LeadingKey.event] }, { actions: ['PutItem', 'UpdateItem'], keys: [LeadingKey.account] }] });
    grantTableAccess(table, this.payoutResult.function, { items: [{ actions: ['GetItem', 'UpdateItem'], keys: [LeadingKey.withdrawal] }, { actions: ['PutItem'], keys: [LeadingKey.event] }, { actions: ['PutItem', 'UpdateItem'], keys: [LeadingKey.account] }, { actions: ['UpdateItem'], keys: [LeadingKey.paymentHash] }] });

    this.settleInvoiceQueue = this.feedFromBus('InvoiceSettled', this.settleInvoice.function, {
      pattern: { source: [BusSource.node], detailType: [NodeDetailType.invoiceSettled] },
      queue: delivery.queues.settleInvoice,
      target: delivery.ruleTargets.settleInvoice,
    });
    this.payoutResultQueue = this.feedFromBus('PaymentResult', this.payoutResult.function, {
      pattern: { source: [BusSource.node], detailType: [NodeDetailType.paymentSucceeded, NodeDetailType.paymentFailed] },
      queue: delivery.queues.payoutResult,
      target: delivery.ruleTargets.payoutResult,
    });
  }

  /** Sends every domain event from the outbox to a function (the webhook fan-out), through its own queue. */
  routeDomainEventsTo(fn: lambda.Function, id = 'DomainEvent'): DurableQueue {
    return this.feedFromBus(id, fn, {
      pattern: { source: [BusSource.ledger], detailType: [LedgerDetailType.domainEvent] },
      queue: delivery.queues.webhookFanout,
      target: delivery.ruleTargets.webhookFanout,
    });
  }

  /**
   * Rule → SQS queue (with a DLQ) → the function as an SQS event source with
   * ReportBatchItemFailures. EventBridge's retry policy covers the hand-off to the queue
   * (then the rule-target DLQ); the queue keeps the event while the function fails, for
   * maxReceiveCount × visibility timeout, then parks it in its DLQ. Nothing is ever left
   * to Lambda's asynchronous invoke, which discards an event after 2 retries.
   */
  private feedFromBus(
    id: string,
    fn: lambda.Function,
    props: { pattern: events.EventPattern; queue: ConsumerDelivery; target: RuleTargetDelivery },
  ): DurableQueue {
    const queue = new DurableQueue(this, `${id}Queue`, { delivery: props.queue });
    this.consumerQueues.push(queue);
    new events.Rule(this, `${id}Rule`, {
      eventBus: this.bus,
      eventPattern: props.pattern,
      targets: [
        new targets.SqsQueue(queue.queue, {
          retryAttempts: props.target.retryAttempts,
          maxEventAge: Duration.seconds(props.target.maxEventAgeSec),
          deadLetterQueue: this.ruleTargetFailures,
        }),
      ],
    });
    fn.addEventSource(
      new SqsEventSource(queue.queue, {
        batchSize: props.queue.batchSize,
        maxBatchingWindow: props.queue.maxBatchingWindowSec > 0 ? Duration.seconds(props.queue.maxBatchingWindowSec) : undefined,
        maxConcurrency: props.queue.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    // Records that can never succeed are parked by the function itself, with their data.
    fn.addEnvironment('DEAD_LETTER_QUEUE_URL', queue.deadLetterQueue.queueUrl);
    queue.deadLetterQueue.grantSendMessages(fn);
    return queue;
  }
}
