import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

export interface TableExportsProps {
  /**
   * The table to export. It must have point-in-time recovery on: exports are taken from
   * the PITR backup, without consuming the table's read capacity.
   * Required; there is no default.
   */
  readonly table: dynamodb.ITableV2;
  /**
   * Days an export is kept before the bucket's lifecycle rule deletes it.
   * @default 90
   */
  readonly retentionDays?: number;
  /**
   * When the export runs. The export stands for the table as it was at that moment.
   * @default daily at 00:05 UTC (`cron(5 0 * * ? *)`), a clean cut just after midnight
   */
  readonly schedule?: scheduler.ScheduleExpression;
  /**
   * Key prefix of the exports in the bucket: they land under `<prefix>/AWSDynamoDB/<ExportId>/`,
   * which is what `npm run report -- --export s3://<bucket>/<prefix>` reads.
   * @default 'exports'
   */
  readonly prefix?: string;
  /**
   * Bucket for S3 server access logs of the exports bucket.
   * @default - no server access logs: the bucket is written only by DynamoDB's export and
   * read by the finance report; CloudTrail (data events, if enabled for the account) audits
   * object access. The cdk-nag finding AwsSolutions-S1 is suppressed with that reason.
   */
  readonly serverAccessLogsBucket?: s3.IBucket;
  /**
   * Keep old versions of objects.
   * @default false: every export is written once under its own unique ExportId and never
   * overwritten, so versioning would add nothing but copies that outlive the retention
   * period. Turn it on (ideally with S3 Object Lock, outside this construct) when auditors
   * require tamper evidence; noncurrent versions then expire after `retentionDays` too.
   */
  readonly versioned?: boolean;
  /**
   * Customer-managed KMS key for the exports.
   * @default - S3-managed keys (SSE-S3, AES256), which need no key policy for DynamoDB's export
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the bucket when it leaves the stack.
   * @default RemovalPolicy.RETAIN: finance data outlives a stack
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Queue for schedule invocations that still failed after the retries.
   * @default - none; watch the Scheduler's TargetErrorCount metric instead
   */
  readonly deadLetterQueue?: sqs.IQueue;
  /**
   * Whether the schedule runs.
   * @default true
   */
  readonly enabled?: boolean;
}

const DEFAULT_RETENTION_DAYS = 90;
const DEFAULT_PREFIX = 'exports';

/**
 * A daily `ExportTableToPointInTime` of the ledger table into an encrypted, private S3
 * bucket, for the finance reports (`npm run report -- --export s3://<bucket>/<prefix>`).
 *
 * No Lambda: an EventBridge Scheduler schedule calls the DynamoDB API directly through a
 * universal target, with a role that may do exactly that for this table and write only
 * under the export prefix. The scheduled time is the export's ClientToken, so Scheduler's
 * retries of one run cannot start a second export.
 */
export class TableExports extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly schedule: scheduler.Schedule;
  /** The role EventBridge Scheduler assumes to start the export. */
  public readonly role: iam.Role;
  public readonly prefix: string;

  constructor(scope: Construct, id: string, props: TableExportsProps) {
    super(scope, id);
    const retentionDays = props.retentionDays ?? DEFAULT_RETENTION_DAYS;
    if (!Number.isInteger(retentionDays) || retentionDays < 1) throw new Error(`retentionDays must be a whole number of days >= 1, got ${retentionDays}`);
    this.prefix = (props.prefix ?? DEFAULT_PREFIX).replace(/^\/+|\/+$/g, '');
    if (this.prefix === '') throw new Error('prefix must not be empty: the lifecycle and IAM scope rely on it');
    const versioned = props.versioned ?? false;

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: props.encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: props.encryptionKey ? true : undefined,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      serverAccessLogsPrefix: props.serverAccessLogsBucket ? 'table-exports/' : undefined,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'expire-exports',
          enabled: true,
          expiration: Duration.days(retentionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
          ...(versioned ? { noncurrentVersionExpiration: Duration.days(retentionDays) } : {}),
        },
      ],
    });

    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'ExportRole', {
      description: `Lets EventBridge Scheduler export ${props.table.node.path} to ${this.prefix}/ in the exports bucket`,
      // Only schedules of this account's default group may assume it (confused-deputy guard).
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: 'default' }),
          },
        },
      }),
    });

    const exportObjects = this.bucket.arnForObjects(`${this.prefix}/*`);
    const policyStatements = [
      new iam.PolicyStatement({ actions: ['dynamodb:ExportTableToPointInTime'], resources: [props.table.tableArn] }),
      // What AWS documents for exports ("Requesting a table export"): the export writes
      // multipart objects as the caller, and sets their ACL. Only under the prefix.
      new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:PutObjectAcl'], resources: [exportObjects] }),
    ];
    if (props.encryptionKey) {
      // Multipart uploads to an SSE-KMS bucket need Decrypt as well as GenerateDataKey.
      policyStatements.push(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [props.encryptionKey.keyArn] }));
    }

    const target = new targets.Universal({
      service: 'dynamodb',
      action: 'exportTableToPointInTime',
      role: this.role,
      policyStatements,
      deadLetterQueue: props.deadLetterQueue,
      input: scheduler.ScheduleTargetInput.fromObject({
        TableArn: props.table.tableArn,
        S3Bucket: this.bucket.bucketName,
        S3Prefix: this.prefix,
        S3SseAlgorithm: props.encryptionKey ? 'KMS' : 'AES256',
        ...(props.encryptionKey ? { S3SseKmsKeyId: props.encryptionKey.keyArn } : {}),
        ExportFormat: 'DYNAMODB_JSON',
        ExportType: 'FULL_EXPORT',
        // Same scheduled time, same token: a retried invocation joins the export already started.
        ClientToken: scheduler.ContextAttribute.scheduledTime,
      }),
      // A failure that lasts hours is a misconfiguration to fix, not to hammer.
      retryAttempts: 5,
      maxEventAge: Duration.hours(6),
    });

    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `Daily point-in-time export of the ledger table for finance reconciliation (kept ${retentionDays} days)`,
      schedule: props.schedule ?? scheduler.ScheduleExpression.cron({ minute: '5', hour: '0' }),
      target,
      enabled: props.enabled ?? true,
    });

    // The same findings come from cdk-nag's compliance packs under their own rule ids.
    const compliancePacks = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];
    const bucketSuppressions: Array<{ id: string; reason: string }> = [];
    if (!props.serverAccessLogsBucket) {
      const reason =
        'Exports bucket: written only by DynamoDB table exports and read by the finance report; object access is audited through CloudTrail. Pass serverAccessLogsBucket to log it too.';
      bucketSuppressions.push({ id: 'AwsSolutions-S1', reason }, ...compliancePacks.map((pack) => ({ id: `${pack}-S3BucketLoggingEnabled`, reason })));
    }
    if (!versioned) {
      const reason =
        'Exports bucket: every export is written once under its own ExportId and never overwritten, so versions would only be copies outliving the retention. Pass versioned: true (ideally with Object Lock) when auditors want tamper evidence.';
      bucketSuppressions.push(...compliancePacks.map((pack) => ({ id: `${pack}-S3BucketVersioningEnabled`, reason })));
    }
    if (!props.encryptionKey) {
      const reason =
        'Exports bucket: encrypted with S3-managed keys (SSE-S3), which DynamoDB exports need no key policy for; a customer-managed key costs $1/month against an idle budget of $10. Pass encryptionKey to use one.';
      bucketSuppressions.push(...compliancePacks.map((pack) => ({ id: `${pack}-S3DefaultEncryptionKMS`, reason })));
    }
    bucketSuppressions.push(
      ...compliancePacks.map((pack) => ({
        id: `${pack}-S3BucketReplicationEnabled`,
        reason:
          'Exports bucket: exports are derived copies of the ledger table, the source of truth, which is under point-in-time recovery (any moment of the last 35 days can be exported again); a replica bucket in another region would double storage and add transfer cost.',
      })),
    );
    NagSuppressions.addResourceSuppressions(this.bucket, bucketSuppressions);
    NagSuppressions.addResourceSuppressions(
      this.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'Export objects get names chosen by DynamoDB (AWSDynamoDB/<ExportId>/...): writes are scoped to the export prefix, nothing wider.',
          appliesTo: [{ regex: `/^Resource::<.*Bucket.*\\.Arn>\\/${this.prefix.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\/\\*$/g` }],
        },
      ],
      true,
    );
  }

  /** Lets the finance report (or a role running it) list and read the exports. */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.bucket.grantRead(grantee, `${this.prefix}/*`);
  }
}
