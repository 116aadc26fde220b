import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { delivery } from '../../infra/delivery';
import type { LightningPaymentsStack } from '../../infra/stack';
import { synthesizedStack } from './support/synth';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

/** The template's delivery semantics: no bus event can be discarded by Lambda's asynchronous invoke. */
describe('delivery semantics in the template', () => {
  let stack: LightningPaymentsStack;
  let template: Template;
  beforeAll(async () => {
    ({ stack, template } = await synthesizedStack());
  }, 120_000);
  const of = (type: string) => template.findResources(type) as Resources;
  const idOf = (ref: any): string => ref?.['Fn::GetAtt']?.[0] ?? ref?.Ref;

  it('every bus rule targets an SQS queue with a retry policy and a DLQ; every such queue has a DLQ, an event source with ReportBatchItemFailures, visibility ≥ 6 × timeout and alarms', () => {
    const queues = of('AWS::SQS::Queue');
    const functions = of('AWS::Lambda::Function');
    const mappings = Object.values(of('AWS::Lambda::EventSourceMapping'));
    const alarms = Object.values(of('AWS::CloudWatch::Alarm'));
    const busRules = Object.values(of('AWS::Events::Rule')).filter((rule) => rule.Properties.EventBusName);
    expect(busRules).toHaveLength(3);
    for (const rule of busRules) {
      for (const target of rule.Properties.Targets) {
        const queueId = idOf(target.Arn);
        expect(queues[queueId], `rule target ${JSON.stringify(target.Arn)} is a queue`).toBeDefined();
        expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 });
        expect(queues[idOf(target.DeadLetterConfig.Arn)]).toBeDefined();
        const queue = queues[queueId]!.Properties;
        const dlqId = idOf(queue.RedrivePolicy.deadLetterTargetArn);
        expect(queues[dlqId]).toBeDefined();
        expect(queue.RedrivePolicy.maxReceiveCount).toBe(delivery.queues.settleInvoice.maxReceiveCount);
        const mapping = mappings.find((m) => idOf(m.Properties.EventSourceArn) === queueId)!;
        expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
        expect(mapping.Properties.BatchSize).toBe(delivery.queues.settleInvoice.batchSize);
        const fn = functions[mapping.Properties.FunctionName.Ref]!.Properties;
        expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn.Timeout);
        expect(fn.Environment.Variables.DEAD_LETTER_QUEUE_URL.Ref).toBe(dlqId);
        const watched = (id: string) => alarms.some((alarm) => JSON.stringify(alarm.Properties.Dimensions ?? []).includes(id));
        expect(watched(dlqId), 'DLQ alarmed').toBe(true);
        expect(watched(queueId), 'backlog alarmed').toBe(true);
        expect(watched(mapping.Properties.FunctionName.Ref), 'function errors alarmed').toBe(true);
      }
    }
  });

  it('alarms on every DLQ of the stack (queue redrive targets, rule-target DLQs, on-failure destinations)', () => {
    const alarmed = JSON.stringify(Object.values(of('AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties.Dimensions ?? []));
    const dlqs = new Set<string>();
    for (const queue of Object.values(of('AWS::SQS::Queue'))) if (queue.Properties.RedrivePolicy) dlqs.add(idOf(queue.Properties.RedrivePolicy.deadLetterTargetArn));
    for (const rule of Object.values(of('AWS::Events::Rule'))) for (const target of rule.Properties.Targets) if (target.DeadLetterConfig) dlqs.add(idOf(target.DeadLetterConfig.Arn));
    for (const config of Object.values(of('AWS::Lambda::EventInvokeConfig'))) dlqs.add(idOf(config.Properties.DestinationConfig.OnFailure.Destination));
    for (const mapping of Object.values(of('AWS::Lambda::EventSourceMapping'))) {
      const onFailure = mapping.Properties.DestinationConfig?.OnFailure?.Destination;
      if (onFailure) dlqs.add(idOf(onFailure));
    }
    expect(dlqs.size).toBeGreaterThanOrEqual(9);
    for (const dlq of dlqs) expect(alarmed, `alarm on ${dlq}`).toContain(dlq);
  });

  it('no Lambda is an asynchronous target without an on-failure destination', () => {
    const functionIds = new Set(Object.keys(of('AWS::Lambda::Function')));
    const configs = Object.values(of('AWS::Lambda::EventInvokeConfig'));
    for (const rule of Object.values(of('AWS::Events::Rule'))) {
      for (const target of rule.Properties.Targets) {
        const id = idOf(target.Arn);
        if (!functionIds.has(id)) continue;
        const config = configs.find((c) => c.Properties.FunctionName.Ref === id);
        expect(config, `EventInvokeConfig of ${id}`).toBeDefined();
        expect(config!.Properties.DestinationConfig.OnFailure.Destination).toBeDefined();
        expect(config!.Properties.MaximumRetryAttempts).toBe(delivery.asyncInvokes.invoiceExpiry.retryAttempts);
      }
    }
  });

  it('has the values of infra/delivery.ts: queues, stream source', () => {
    const queues = stack.pipeline;
    const resolve = (queue: { node: { defaultChild?: unknown } }) => stack.resolve((queue.node.defaultChild as any).logicalId) as string;
    const cases = [
      [stack.pipeline.payoutQueue, delivery.queues.payout],
      [stack.pipeline.cancelQueue, delivery.queues.invoiceCancel],
      [stack.pipeline.outboxFailures, delivery.queues.outboxFailures],
      [stack.pipeline.settleInvoiceQueue, delivery.queues.settleInvoice],
      [stack.pipeline.payoutResultQueue, delivery.queues.payoutResult],
      [stack.webhooks.deliveryQueue, delivery.queues.webhookDelivery],
    ] as const;
    const all = of('AWS::SQS::Queue');
    for (const [durable, settings] of cases) {
      const queue = all[resolve(durable.queue)]!.Properties;
      expect(queue.VisibilityTimeout).toBe(settings.visibilityTimeoutSec);
      expect(queue.MessageRetentionPeriod).toBe(settings.retentionSec);
      expect(queue.RedrivePolicy.maxReceiveCount).toBe(settings.maxReceiveCount);
      expect(all[resolve(durable.deadLetterQueue)]!.Properties.MessageRetentionPeriod).toBe(settings.deadLetterRetentionSec);
    }
    expect(queues).toBeDefined();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: delivery.stream.batchSize,
      MaximumRetryAttempts: delivery.stream.retryAttempts,
      MaximumRecordAgeInSeconds: delivery.stream.maxRecordAgeSec,
      BisectBatchOnFunctionError: delivery.stream.bisectBatchOnError,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });
});
