import { Duration } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BridgeHeartbeat, METRICS_NAMESPACE, SettlementCredited } from '../../functions/lib/observability/log-metrics';
import { NodeStreamMetrics } from '../../node-bridge/src/node-stream-report';

/** A consumer queue whose oldest event is older than this is stuck: its records keep failing. */
const MAX_STREAM_AGE = Duration.minutes(5);
const MAX_CONSUMER_BACKLOG = Duration.minutes(10);

export interface MonitoringProps {
  /** Every dead-letter queue, by a readable name: any message in one raises an alarm. */
  readonly deadLetterQueues: Record<string, sqs.IQueue>;
  /**
   * Consumers by a readable name: an alarm on the function's errors (crashes, timeouts) and,
   * for a queue consumer, on the age of its queue's oldest message (records it keeps failing,
   * which ReportBatchItemFailures does not count as function errors).
   */
  readonly consumers?: Record<string, { function: lambda.IFunction; queue?: sqs.IQueue }>;
  /** Stream consumers by name: an alarm when the stream's oldest unread record is older than 5 minutes (IteratorAge). */
  readonly streamConsumers?: Record<string, lambda.IFunction>;
  readonly bridgeLogs: logs.ILogGroup;
  readonly settleInvoiceLogs: logs.ILogGroup;
  readonly api: apigwv2.HttpApi;
  readonly minOutboundLiquidityMsat: number;
  readonly minInboundLiquidityMsat: number;
  /** Subscribed to the alarm topic when given. @default no subscription */
  readonly alarmEmail?: string;
  /** A withdrawal in flight longer than this raises an alarm. @default 1 hour */
  readonly maxInFlightAge?: Duration;
  /** Settlement → credit slower than this raises an alarm. @default 1 minute */
  readonly maxSettlementLag?: Duration;
  /** Share of API requests answered 5xx that raises an alarm, in percent. @default 5 */
  readonly max5xxPercent?: number;
  /** A dashboard of the same metrics. @default false: the alarms work without it */
  readonly dashboard?: boolean;
}

/**
 * The alarms an operator needs, each with a runbook entry in docs/RUNBOOK.md, sent to one
 * SNS topic; and, when asked for, a dashboard of the same metrics.
 */
export class Monitoring extends Construct {
  public readonly topic: sns.Topic;
  public readonly alarms: cloudwatch.Alarm[] = [];
  public readonly dashboard: cloudwatch.Dashboard | undefined;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const key = new kms.Key(this, 'TopicKey', { enableKeyRotation: true, description: 'Encrypts the alarm topic' });
    // CloudWatch must be able to publish to the encrypted topic.
    key.grantEncryptDecrypt(new iam.ServicePrincipal('cloudwatch.amazonaws.com'));
    this.topic = new sns.Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const heartbeatMetric = (name: string, value: string) =>
      new logs.MetricFilter(this, `${name}Filter`, {
        logGroup: props.bridgeLogs,
        metricNamespace: METRICS_NAMESPACE,
        metricName: name,
        filterPattern: logs.FilterPattern.stringValue('$.event', '=', BridgeHeartbeat.event),
        metricValue: value,
      }).metric({ period: Duration.minutes(5) });

    const heartbeats = heartbeatMetric('BridgeHeartbeats', '1').with({ statistic: 'Sum' });
    const oldestInFlight = heartbeatMetric('OldestOpenWithdrawalSec', `$.${BridgeHeartbeat.fields.oldestOpenWithdrawalSec}`).with({ statistic: 'Maximum' });
    const outbound = heartbeatMetric('OutboundLiquidityMsat', `$.${BridgeHeartbeat.fields.outboundLiquidityMsat}`).with({ statistic: 'Minimum' });
    const inbound = heartbeatMetric('InboundLiquidityMsat', `$.${BridgeHeartbeat.fields.inboundLiquidityMsat}`).with({ statistic: 'Minimum' });
    const settlementLag = new logs.MetricFilter(this, 'SettlementLagFilter', {
      logGroup: props.settleInvoiceLogs,
      metricNamespace: METRICS_NAMESPACE,
      metricName: 'SettlementLagMs',
      filterPattern: logs.FilterPattern.stringValue('$.event', '=', SettlementCredited.event),
      metricValue: `$.${SettlementCredited.fields.lagMs}`,
    }).metric({ period: Duration.minutes(5), statistic: 'p99' });

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.alarm(`${name}NotEmpty`, `Messages are waiting in the ${name} dead-letter queue`, {
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
    }
    for (const [name, consumer] of Object.entries(props.consumers ?? {})) {
      this.alarm(`${name}Errors`, `The ${name} function fails (errors or timeouts)`, {
        metric: consumer.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
      if (consumer.queue) {
        this.alarm(`${name}Backlog`, `Events for ${name} wait longer than ${MAX_CONSUMER_BACKLOG.toMinutes()} minutes (its records keep failing)`, {
          metric: consumer.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }),
          threshold: MAX_CONSUMER_BACKLOG.toSeconds(),
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        });
      }
    }
    for (const [name, fn] of Object.entries(props.streamConsumers ?? {})) {
      this.alarm(`${name}StreamAge`, `The ${name} function is over ${MAX_STREAM_AGE.toMinutes()} minutes behind the table's stream (payouts and events wait)`, {
        metric: fn.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' }),
        threshold: MAX_STREAM_AGE.toMilliseconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
    }
    this.alarm('BridgeHeartbeatMissing', 'node-bridge has not reported for 10 minutes', {
      metric: heartbeats,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    // The bridge's own EMF lines (no metric filter): how many nodes it cannot stream from. No
    // data means no bridge, not a healthy node: BridgeHeartbeatMissing covers that case.
    const streamsDown = new cloudwatch.Metric({
      namespace: NodeStreamMetrics.namespace,
      metricName: NodeStreamMetrics.streamsDown,
      statistic: 'Maximum',
      period: Duration.minutes(5),
    });
    this.alarm('NodeStreamDown', 'node-bridge has not streamed settlements from a node for two 5-minute periods (that node\'s settlements wait)', {
      metric: streamsDown,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
    });
    this.alarm('WithdrawalInFlightTooLong', 'A withdrawal has not been final (pending or in flight) for over an hour', {
      metric: oldestInFlight,
      threshold: (props.maxInFlightAge ?? Duration.hours(1)).toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    this.alarm('SettlementLag', 'Settlements take too long to reach balances', {
      metric: settlementLag,
      threshold: (props.maxSettlementLag ?? Duration.minutes(1)).toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    this.alarm('OutboundLiquidityLow', 'The node can send less than the configured minimum', {
      metric: outbound,
      threshold: props.minOutboundLiquidityMsat,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    });
    this.alarm('InboundLiquidityLow', 'The node can receive less than the configured minimum', {
      metric: inbound,
      threshold: props.minInboundLiquidityMsat,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    });
    const apiErrorRate = new cloudwatch.MathExpression({
      expression: '100 * errors / MAX([requests, 1])',
      usingMetrics: {
        errors: props.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
        requests: props.api.metricCount({ period: Duration.minutes(5), statistic: 'Sum' }),
      },
      label: 'API 5xx %',
      period: Duration.minutes(5),
    });
    this.alarm('Api5xxRate', 'Too many API requests fail with 5xx', {
      metric: apiErrorRate,
      threshold: props.max5xxPercent ?? 5,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });

    if (!props.dashboard) return;
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new cloudwatch.GraphWidget({ title: 'API requests and 5xx %', left: [props.api.metricCount()], right: [apiErrorRate] }),
          new cloudwatch.GraphWidget({ title: 'Settlement lag p99 (ms)', left: [settlementLag] }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'Channel liquidity (msat)', left: [outbound, inbound] }),
          new cloudwatch.GraphWidget({ title: 'Oldest open withdrawal (s) / bridge heartbeats', left: [oldestInFlight], right: [heartbeats] }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Node streams down / seconds since each node streamed',
            left: [streamsDown],
            right: [
              new cloudwatch.MathExpression({
                expression: `SEARCH('{${NodeStreamMetrics.namespace},${NodeStreamMetrics.dimension}} MetricName="${NodeStreamMetrics.silentSec}"', 'Maximum', 300)`,
                label: 'silent (s)',
                period: Duration.minutes(5),
              }),
            ],
            width: 24,
          }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 })],
      ],
    });
  }

  private alarm(id: string, description: string, props: Omit<cloudwatch.AlarmProps, 'alarmDescription' | 'evaluationPeriods'> & { evaluationPeriods?: number }) {
    const alarm = new cloudwatch.Alarm(this, id, {
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
      alarmDescription: `${description}. Runbook: docs/RUNBOOK.md#${id.toLowerCase()}`,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
