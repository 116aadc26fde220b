import type { CfnElement } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesizedStack } from './support/synth';

/**
 * Issue 14, item 2: the bridge re-queues a payment still in flight after
 * PAYOUT_MAX_TRACK_SEC with SendMessage. Without that grant AWS answers AccessDenied, the
 * message is retried into the DLQ and the payment's result is never reported.
 */
describe("the node-bridge's payout queue grant", () => {
  let statements: Array<{ Action: string | string[]; Resource: unknown; Effect: string }>;
  let payoutQueueId: string;

  beforeAll(async () => {
    const { stack, template: synthesized } = await synthesizedStack();
    const template = synthesized.toJSON() as { Resources: Record<string, { Type: string; Properties: any }> };
    const roleId = stack.getLogicalId(stack.bridge.taskDefinition.taskRole.node.defaultChild as CfnElement);
    payoutQueueId = stack.getLogicalId(stack.pipeline.payoutQueue.queue.node.defaultChild as CfnElement);
    statements = Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::IAM::Policy' && resource.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
  }, 120_000);

  const allowsOnPayoutQueue = (action: string) =>
    statements.some(
      (statement) =>
        statement.Effect === 'Allow' &&
        [statement.Action].flat().includes(action) &&
        JSON.stringify(statement.Resource).includes(`"${payoutQueueId}"`),
    );

  it('lets the bridge re-queue a payment still in flight (SendMessage) besides consuming', () => {
    expect(allowsOnPayoutQueue('sqs:SendMessage')).toBe(true);
    expect(allowsOnPayoutQueue('sqs:ReceiveMessage')).toBe(true);
    expect(allowsOnPayoutQueue('sqs:DeleteMessage')).toBe(true);
    expect(allowsOnPayoutQueue('sqs:ChangeMessageVisibility')).toBe(true);
  });
});
