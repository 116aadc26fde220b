import type { Stack } from 'aws-cdk-lib';
import { NagSuppressions } from 'cdk-nag';

/**
 * The cdk-nag findings this stack accepts, each with its reason. Anything not listed here
 * fails the infra tests.
 */
export function applyNagSuppressions(stack: Stack): void {
  NagSuppressions.addStackSuppressions(stack, [
    {
      id: 'AwsSolutions-IAM4',
      reason: 'Lambda functions use AWSLambdaBasicExecutionRole only, which grants writing their own logs; ECS uses the standard task execution policy.',
      appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    },
    {
      id: 'AwsSolutions-IAM4',
      reason:
        'The node-facing functions run in the VPC behind the fixed egress; AWSLambdaVPCAccessExecutionRole only lets Lambda create and delete their network interfaces, which it needs to place them.',
      appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole'],
    },
    {
      id: 'AwsSolutions-IAM5',
      reason:
        'Wildcards come from CDK grants scoped to single resources: the table and its indexes (index/*), secrets by name (-?????? suffix), and X-Ray/log stream actions that take no resource.',
    },
    {
      id: 'AwsSolutions-L1',
      reason: 'The product targets nodejs22.x on purpose (the supported LTS it is tested against); runtime upgrades are a deliberate release.',
    },
    {
      id: 'AwsSolutions-SQS3',
      reason: 'These queues are themselves dead-letter queues; their messages are kept 14 days and alarmed on.',
    },
    {
      id: 'AwsSolutions-APIG4',
      reason: 'The API authenticates every merchant request itself with hashed API keys (Bearer sk_/ik_); public routes are public by design.',
    },
    {
      id: 'AwsSolutions-ECS2',
      reason: 'Only non-secret settings (table, queue and bus names, thresholds) are plain environment variables; LND credentials come from Secrets Manager.',
    },
    {
      id: 'AwsSolutions-ECS4',
      reason: 'Container Insights costs more than the bridge task itself; the bridge reports its own metrics (heartbeat, in-flight age, liquidity) through its logs.',
    },
  ]);
}
