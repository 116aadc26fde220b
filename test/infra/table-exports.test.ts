import { Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { TableExports, type TableExportsProps } from '../../infra/constructs/table-exports';
import { testApp } from './support/synth';

/** A tiny stack: a TableV2 with PITR, and the exports construct under test. */
function synth(
  props: Partial<TableExportsProps> = {},
  extra?: (stack: Stack) => Partial<TableExportsProps>,
  beforeSynth?: (stack: Stack, exports: TableExports) => void,
) {
  const app = testApp();
  const stack = new Stack(app, 'ExportsTest');
  const table = new dynamodb.TableV2(stack, 'Table', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  });
  const exports = new TableExports(stack, 'TableExports', { table, ...props, ...extra?.(stack) });
  beforeSynth?.(stack, exports);
  return { stack, exports, template: Template.fromStack(stack), tableArn: stack.resolve(table.tableArn), bucketArn: stack.resolve(exports.bucket.bucketArn) };
}

/** The schedule's Input, with the tokens it joins rendered as their CloudFormation JSON. */
function scheduleInput(template: Template): string {
  const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule'));
  expect(schedules).toHaveLength(1);
  const input = schedules[0]!.Properties.Target.Input as { 'Fn::Join': [string, unknown[]] };
  return input['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join('');
}

describe('TableExports construct', () => {
  it('creates a private, encrypted, TLS-only bucket whose exports expire after 90 days', () => {
    const { template } = synth();

    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LifecycleConfiguration: { Rules: [Match.objectLike({ Status: 'Enabled', ExpirationInDays: 90, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } })] },
      VersioningConfiguration: Match.absent(),
    });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('runs ExportTableToPointInTime daily at 00:05 UTC through a Scheduler universal target, with no Lambda', () => {
    const { template, tableArn } = synth();

    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(5 0 * * ? *)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:::aws-sdk:dynamodb:exportTableToPointInTime']] },
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 21600 },
      },
    });
    const input = scheduleInput(template);
    expect(input).toContain(`"TableArn":"${JSON.stringify(tableArn)}"`);
    expect(input).toContain('"S3Prefix":"exports"');
    expect(input).toContain('"S3SseAlgorithm":"AES256"');
    expect(input).toContain('"ExportFormat":"DYNAMODB_JSON"');
    expect(input).toContain('"ExportType":"FULL_EXPORT"');
    // Retries of one scheduled run reuse its token: DynamoDB starts one export, not several.
    expect(input).toContain('"ClientToken":"<aws.scheduler.scheduled-time>"');
  });

  it('grants the scheduler role only the export on this table and writes under the export prefix', () => {
    const { template, tableArn, bucketArn, exports, stack } = synth();

    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'sts:AssumeRole',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': Match.anyValue() } },
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [stack.resolve(exports.role.roleName)],
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 'dynamodb:ExportTableToPointInTime', Resource: tableArn },
          { Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:PutObjectAcl'], Resource: { 'Fn::Join': ['', [bucketArn, '/exports/*']] } },
        ],
      },
    });
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).not.toContain('"Resource":"*"');
    expect(policies).not.toMatch(/"Action":"(dynamodb|s3):\*"/);
  });

  it('takes the retention, schedule, prefix, versioning, access logs and a KMS key from its props', () => {
    const schedule = scheduler.ScheduleExpression.cron({ hour: '2', minute: '30' });
    const { template, bucketArn } = synth({ retentionDays: 30, prefix: 'finance/', versioned: true, enabled: false, schedule }, (stack) => ({
      encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
      serverAccessLogsBucket: s3.Bucket.fromBucketName(stack, 'Logs', 'access-logs-bucket'),
    }));

    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }), BucketKeyEnabled: true })] },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30, NoncurrentVersionExpiration: { NoncurrentDays: 30 } })] },
      LoggingConfiguration: { DestinationBucketName: 'access-logs-bucket', LogFilePrefix: 'table-exports/' },
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { State: 'DISABLED', ScheduleExpression: 'cron(30 2 * * ? *)' });
    expect(scheduleInput(template)).toContain('"S3Prefix":"finance","S3SseAlgorithm":"KMS","S3SseKmsKeyId":"');
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:PutObjectAcl'], Resource: { 'Fn::Join': ['', [bucketArn, '/finance/*']] } },
          Match.objectLike({ Action: ['kms:GenerateDataKey', 'kms:Decrypt'] }),
        ]),
      },
    });
  });

  it('lets a reader role list and get the exports', () => {
    let reader: iam.Role | undefined;
    const { stack, template, bucketArn } = synth({}, undefined, (scope, exports) => {
      reader = new iam.Role(scope, 'FinanceReader', { assumedBy: new iam.AccountRootPrincipal() });
      exports.grantRead(reader);
    });

    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [stack.resolve(reader!.roleName)],
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: Match.arrayWith(['s3:GetObject*', 's3:List*']),
            Resource: [bucketArn, { 'Fn::Join': ['', [bucketArn, '/exports/*']] }],
          }),
        ],
      },
    });
  });

  it('refuses a retention that is not a whole number of days, and an empty prefix', () => {
    expect(() => synth({ retentionDays: 0 })).toThrow(/retentionDays/);
    expect(() => synth({ retentionDays: 1.5 })).toThrow(/retentionDays/);
    expect(() => synth({ prefix: '/' })).toThrow(/prefix/);
  });

  it('passes cdk-nag AwsSolutions with its documented suppressions only', () => {
    for (const props of [{}, { versioned: true }]) {
      const app = testApp();
      const stack = new Stack(app, 'NagTest');
      const table = new dynamodb.TableV2(stack, 'Table', {
        partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      });
      new TableExports(stack, 'TableExports', { table, ...props });
      Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
      app.synth();

      const annotations = Annotations.fromStack(stack);
      expect(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-'))).toEqual([]);
      expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-'))).toEqual([]);
    }
  });
});
