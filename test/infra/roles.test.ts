import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightningPaymentsStack } from '../../infra/stack';
import { LOCAL_WEBHOOK_QUEUE } from '../../functions/lib/webhooks/queues';
import { INVOICE_CANCEL_QUEUE, OUTBOX_FAILURES_QUEUE, PAYOUT_QUEUE, PAYOUT_RESULT_QUEUE, SETTLE_INVOICE_QUEUE } from '../../infra/local/pipeline';
import { WEBHOOK_FAN_OUT_QUEUE } from '../../infra/local/webhooks';
import type { AwsCallRecord } from '../support/aws-call-recorder';
import { removeTestOutdirs, synthesizedStack } from './support/synth';
import { checkRoles, resolver, type Extra, type LogicalResources, type RoleUnderTest } from './roles-check';

/**
 * Deliver 2 of issue 14: each role of the template allows exactly what its code calls.
 * Runs after the suites (npm test → npm run test:roles) on the calls they recorded.
 */
const recordDir = path.resolve(process.env.AWS_CALL_RECORD_DIR ?? 'test-results/aws-calls');

/** Components no suite runs through a composition root yet, each with why; their roles are still checked for "beyond". */
const NOT_RECORDED: Record<string, string> = {
  'GET /v1/openapi.json': 'serves a static document: no AWS call at all',
  'GET /checkout/{id}': 'exercised only by the e2e suite, through npm start in a process of its own',
};

function readRecords(): AwsCallRecord[] {
  if (!existsSync(recordDir)) return [];
  const lines = readdirSync(recordDir)
    .filter((name) => name.endsWith('.jsonl'))
    .flatMap((name) => readFileSync(path.join(recordDir, name), 'utf8').split('\n'))
    .filter(Boolean);
  return [...new Set(lines)].map((line) => JSON.parse(line) as AwsCallRecord);
}

describe('every role allows exactly the calls its code makes', () => {
  let stack: LightningPaymentsStack;
  let template: any;
  let roles: RoleUnderTest[];
  let resources: LogicalResources;
  let records: AwsCallRecord[];
  const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnElement);

  afterAll(() => removeTestOutdirs());

  beforeAll(async () => {
    // The production deployment the template tests read, in a temp assembly removed after the file.
    const synthesized = await synthesizedStack();
    stack = synthesized.stack;
    template = synthesized.template.toJSON();
    const { arn } = resolver(template);
    const queueId = (queue: { node: { defaultChild?: unknown } }) => logicalId(queue);
    const fanOutQueue = () => stack.pipeline.consumerQueues.find((queue) => queue !== stack.pipeline.settleInvoiceQueue && queue !== stack.pipeline.payoutResultQueue)!;
    resources = {
      tableId: logicalId(stack.ledger.table),
      // The local stack's names for the template's resources.
      map: {
        bus: logicalId(stack.pipeline.bus),
        [`queue:${PAYOUT_QUEUE}`]: queueId(stack.pipeline.payoutQueue.queue),
        [`queue:${INVOICE_CANCEL_QUEUE}`]: queueId(stack.pipeline.cancelQueue.queue),
        [`queue:${LOCAL_WEBHOOK_QUEUE}`]: queueId(stack.webhooks.deliveryQueue.queue),
        [`queue:${LOCAL_WEBHOOK_QUEUE}-dlq`]: queueId(stack.webhooks.deliveryQueue.deadLetterQueue),
        [`queue:${OUTBOX_FAILURES_QUEUE}`]: queueId(stack.pipeline.outboxFailures.queue),
        [`queue:${SETTLE_INVOICE_QUEUE}-dlq`]: queueId(stack.pipeline.settleInvoiceQueue.deadLetterQueue),
        [`queue:${PAYOUT_RESULT_QUEUE}-dlq`]: queueId(stack.pipeline.payoutResultQueue.deadLetterQueue),
        [`queue:${WEBHOOK_FAN_OUT_QUEUE}-dlq`]: queueId(fanOutQueue().deadLetterQueue),
      },
    };

    const roleId = (role: IRole) => stack.getLogicalId(role.node.defaultChild as CfnElement);
    const mappings = Object.values(template.Resources as Record<string, any>).filter((resource) => resource.Type === 'AWS::Lambda::EventSourceMapping');
    const { resolve } = resolver(template);
    /** What an event source mapping does with the function's role: poll its source, send failures to its destination. */
    const mappingExtras = (functionId: string): Extra[] =>
      mappings
        .filter((mapping) => mapping.Properties.FunctionName?.Ref === functionId)
        .flatMap((mapping) => {
          const source = resolve(mapping.Properties.EventSourceArn) as string;
          const reason = "the event source mapping polls with the function's role";
          const polled = source.includes(':sqs:')
            ? ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'].map((action) => ({ action, resource: source, reason }))
            : ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'].map((action) => ({ action, resource: '*', reason }));
          const destination = mapping.Properties.DestinationConfig?.OnFailure?.Destination;
          const failures = destination
            ? ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'].map((action) => ({ action, resource: resolve(destination) as string, reason: 'the mapping sends records that failed for good here' }))
            : [];
          return [...polled, ...failures];
        });
    /** CDK's queue grants add these read-only metadata actions to SendMessage / ReceiveMessage. */
    const queueMetadata: Extra[] = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl'].map((action) => ({ action, resource: `arn:aws:sqs:*`, reason: "CDK's queue grants include queue metadata reads" }));
    const lndSecrets = (routeKey: string): Extra[] =>
      routeKey === 'POST /v1/invoices' || routeKey === 'POST /v1/withdrawals'
        ? ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'].map((action) => ({
            action,
            resource: 'arn:aws:secretsmanager:*:secret:lightning-payments/lnd-*',
            reason: 'the local stack reads the LND TLS cert and invoice macaroon from files; in AWS from these secrets (functions/http/dependencies.ts)',
          }))
        : [];
    // Paths of shared code every such role runs, which the suites provoke through only some of them.
    const tableArn = 'arn:aws:dynamodb:*:table/*';
    const routeExtras = (routeKey: string): Extra[] => [
      ...lndSecrets(routeKey),
      { action: 'dynamodb:UpdateItem', resource: tableArn, leadingKey: 'RATE_LIMIT#*', reason: 'the per-merchant rate limit of the shared HTTP pipeline (functions/http/middleware/rate-limit.ts) runs on every authenticated route' },
      { action: 'dynamodb:GetItem', resource: tableArn, leadingKey: 'MERCHANT#*#IDEMPOTENCY#*', reason: 'the shared idempotency layer reads the stored record when a retry finds the key taken (functions/http/idempotency.ts)' },
      ...(routeKey === 'POST /v1/withdrawals'
        ? [{ action: 'dynamodb:Query', resource: tableArn, leadingKey: 'NODE_STATUS', reason: "with several nodes, a node's key comes from its status item when the node does not answer getNodeInfo; no suite makes a node refuse that call" }]
        : []),
      ...(routeKey === 'POST /v1/events/{id}/redeliver'
        ? [{ action: 'sqs:SendMessage', resource: 'arn:aws:sqs:*', reason: 'redelivery starts a new series on the webhook queue; the API suites run it without the local queue recorder' }]
        : []),
    ];
    /** A batch consumer parks a record that can never succeed in its own DLQ (functions/lib/queue/sqs-batch.ts). */
    const parksInDlq: Extra[] = [{ action: 'sqs:SendMessage', resource: 'arn:aws:sqs:*DeadLetterQueue*', reason: 'parks records that fail their schema in its DLQ; no suite sends such a record under the recorder' }];
    const lambda = (component: string, fn: { function: { role?: IRole; node: { defaultChild?: unknown } } }, extras: Extra[] = []): RoleUnderTest => ({
      component,
      roleId: roleId(fn.function.role!),
      extras: [...mappingExtras(stack.getLogicalId(fn.function.node.defaultChild as CfnElement)), ...queueMetadata, ...extras],
    });
    roles = [
      ...[...stack.api.functions].map(([routeKey, fn]) => lambda(routeKey, fn, routeExtras(routeKey))),
      lambda('outbox', stack.pipeline.outbox),
      lambda('settle-invoice', stack.pipeline.settleInvoice, parksInDlq),
      lambda('payout-result', stack.pipeline.payoutResult, parksInDlq),
      lambda('webhook-fanout', stack.webhooks.fanout, parksInDlq),
      lambda('webhook-delivery', stack.webhooks.delivery, parksInDlq),
      lambda('invoice-expiry', stack.webhooks.invoiceExpiry, [
        { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:*ExpiryFailures*', reason: "Lambda sends a failed asynchronous invoke to its on-failure destination with the function's role" },
      ]),
      {
        component: 'node-bridge',
        roleId: roleId(stack.bridge.taskDefinition.taskRole),
        extras: [
          ...queueMetadata,
          { action: 'sqs:ChangeMessageVisibility', resource: 'arn:aws:sqs:*CancelQueue*', reason: 'the shared queue consumer extends or releases a cancel message that takes long or fails; the suites never make one' },
          { action: 'dynamodb:GetItem', resource: tableArn, leadingKey: 'INVOICE#*', reason: "with several nodes a cancel reads the invoice's node to cancel it there (invoice-cancel-worker.ts); no suite queues a cancel on two nodes yet" },
        ],
      },
    ];
    void arn;
    records = readRecords();
  }, 120_000);

  it('has recorded calls of every component (else the check would pass vacuously)', async () => {
    const result = await checkRoles(template, roles, records, resources);
    expect(result.unrecorded.filter((component) => !NOT_RECORDED[component]), `no AWS call recorded in ${recordDir} for these components: run the suites with AWS_CALL_RECORD_DIR set (npm test does)`).toEqual([]);
  });

  it('allows every recorded call and nothing beyond them and the justified extras', async () => {
    const result = await checkRoles(template, roles, records, resources);
    const problems = [...result.denied, ...result.beyond];
    // One line each, none cut short: they say which grant to add or take away.
    if (problems.length > 0) throw new Error(`${problems.length} role problems:\n${problems.join('\n')}`);
  });

  describe('fails when the template changes', () => {
    const clone = () => JSON.parse(JSON.stringify(template));
    const policiesOf = (copy: any, roleId: string) =>
      Object.values(copy.Resources as Record<string, any>).filter(
        (resource) => resource.Type === 'AWS::IAM::Policy' && resource.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId),
      );
    const delivery = () => roles.find((role) => role.component === 'webhook-delivery')!;

    it('when a needed grant is removed: "denied: ..."', async () => {
      const copy = clone();
      for (const policy of policiesOf(copy, delivery().roleId)) {
        policy.Properties.PolicyDocument.Statement = policy.Properties.PolicyDocument.Statement.filter(
          (statement: { Action: string | string[] }) => !JSON.stringify(statement.Action).includes('dynamodb:GetItem'),
        );
      }
      const result = await checkRoles(copy, [delivery()], records, resources);
      expect(result.denied.some((line) => line.startsWith('denied: webhook-delivery') && line.includes('dynamodb:GetItem'))).toBe(true);
    });

    it('when a grant is widened to dynamodb:* on the table: "allowed beyond the code: ..."', async () => {
      const copy = clone();
      const [policy] = policiesOf(copy, delivery().roleId);
      policy.Properties.PolicyDocument.Statement.push({ Effect: 'Allow', Action: 'dynamodb:*', Resource: { 'Fn::GetAtt': [resources.tableId, 'Arn'] } });
      const result = await checkRoles(copy, [delivery()], records, resources);
      expect(result.beyond.some((line) => line.includes('webhook-delivery') && line.includes('dynamodb:Scan'))).toBe(true);
      expect(result.beyond.some((line) => line.includes('dynamodb:DeleteItem') && line.includes('ACCOUNT#*'))).toBe(true);
    });

    it('when a LeadingKeys condition is dropped: "allowed beyond the code: ..."', async () => {
      const copy = clone();
      for (const policy of policiesOf(copy, delivery().roleId)) {
        for (const statement of policy.Properties.PolicyDocument.Statement) if (JSON.stringify(statement.Condition ?? {}).includes('LeadingKeys')) delete statement.Condition;
      }
      const result = await checkRoles(copy, [delivery()], records, resources);
      expect(result.beyond.some((line) => line.includes('webhook-delivery') && line.includes('ACCOUNT#*'))).toBe(true);
    });
  });
});
