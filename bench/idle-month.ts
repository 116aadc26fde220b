/**
 * What a stack that takes no traffic pays in a month, read from its synthesized template:
 * each line counts the resources that cost money at rest (alarms and their metrics, metric
 * filters, dashboards, keys, the bridge's task and capacity, public addresses, the NAT
 * instance, the secrets the stack reads, the scheduled invoice sweep, idle queue polls), so
 * a construct that adds or drops one changes the table without anyone editing it.
 */
import { HOURS_PER_MONTH, PRICES } from './prices';

export interface IdleLine {
  item: string;
  quantity: string;
  usd: number;
}

type Resource = { Type: string; Properties?: Record<string, any> };
export type TemplateJson = { Resources: Record<string, Resource> };

/** Log bytes of one scheduled invocation (START/END/REPORT and a line of ours), as cost.ts assumes. */
const LOG_BYTES_PER_INVOCATION = 400;
/** Lambda keeps five long pollers on each SQS event source (20 s polls); the bridge one per queue it reads. */
const LAMBDA_POLLERS_PER_QUEUE = 5;
const BRIDGE_QUEUES = 2;
const POLLS_PER_MINUTE = 3;

const ofType = (template: TemplateJson, type: string) => Object.values(template.Resources).filter((resource) => resource.Type === type);

/** CloudWatch bills an alarm per metric: a metric-math alarm by the metrics in its expression. */
function alarmMetrics(template: TemplateJson): { alarms: number; metrics: number } {
  const alarms = ofType(template, 'AWS::CloudWatch::Alarm');
  const metrics = alarms.reduce((sum, alarm) => {
    const queries = alarm.Properties?.Metrics as Array<{ MetricStat?: unknown }> | undefined;
    return sum + (queries ? queries.filter((query) => query.MetricStat).length : 1);
  }, 0);
  return { alarms: alarms.length, metrics };
}

/** Secrets Manager names the stack reads (ARNs by name carry a `-??????` suffix in policies). */
function secretNames(template: TemplateJson): string[] {
  const found = JSON.stringify(template).match(/:secret:[A-Za-z0-9/_+=.@-]+/g) ?? [];
  return [...new Set(found.map((match) => match.slice(':secret:'.length).replace(/-$/, '')))];
}

function bridgeTask(template: TemplateJson): { vcpu: number; gb: number; arm: boolean; spot: boolean; publicIp: boolean } | undefined {
  const [task] = ofType(template, 'AWS::ECS::TaskDefinition');
  const [service] = ofType(template, 'AWS::ECS::Service');
  if (!task?.Properties || !service?.Properties) return undefined;
  const strategies = (service.Properties.CapacityProviderStrategy ?? []) as Array<{ CapacityProvider: string }>;
  return {
    vcpu: Number(task.Properties.Cpu) / 1024,
    gb: Number(task.Properties.Memory) / 1024,
    arm: task.Properties.RuntimePlatform?.CpuArchitecture === 'ARM64',
    spot: strategies.some((strategy) => strategy.CapacityProvider === 'FARGATE_SPOT'),
    publicIp: service.Properties.NetworkConfiguration?.AwsvpcConfiguration?.AssignPublicIp === 'ENABLED',
  };
}

function fargateLine(task: NonNullable<ReturnType<typeof bridgeTask>>): IdleLine {
  const { fargate } = PRICES;
  const perHour = task.arm
    ? task.vcpu * fargate.perVcpuHour + task.gb * fargate.perGbHour
    : (task.vcpu * fargate.x86PerVcpuHour + task.gb * fargate.x86PerGbHour) * (task.spot ? fargate.spotShareOfX86 : 1);
  const kind = task.spot ? 'Fargate Spot x86_64' : `Fargate ${task.arm ? 'arm64' : 'x86_64'}`;
  return { item: `${kind}, ${task.vcpu} vCPU + ${task.gb} GB, always on (node-bridge)`, quantity: `${HOURS_PER_MONTH} h`, usd: perHour * HOURS_PER_MONTH };
}

/** A schedule of one run a minute: the invoice expiry sweep. */
function everyMinuteRules(template: TemplateJson): number {
  return ofType(template, 'AWS::Events::Rule').filter((rule) => rule.Properties?.ScheduleExpression === 'rate(1 minute)').length;
}

function sqsEventSources(template: TemplateJson): number {
  return ofType(template, 'AWS::Lambda::EventSourceMapping').filter((mapping) => JSON.stringify(mapping.Properties?.EventSourceArn ?? '').includes('Queue')).length;
}

export function idleMonthOf(template: TemplateJson): IdleLine[] {
  const { cloudwatch, vpc, ec2, secretsManager, kms, lambda, dynamodb, sqs, ecr } = PRICES;
  const lines: IdleLine[] = [];
  const task = bridgeTask(template);
  if (task) lines.push(fargateLine(task));

  const eips = ofType(template, 'AWS::EC2::EIP').length;
  const addresses = eips + (task?.publicIp ? 1 : 0);
  if (addresses > 0) {
    const which = [eips > 0 ? `${eips} Elastic IP (the NAT instance's, the egress address LND allows)` : '', task?.publicIp ? "the bridge task's public IPv4" : ''].filter(Boolean).join(', ');
    lines.push({ item: `Public IPv4: ${which}`, quantity: `${addresses} × ${HOURS_PER_MONTH} h`, usd: addresses * vpc.publicIpv4PerHour * HOURS_PER_MONTH });
  }
  for (const instance of ofType(template, 'AWS::EC2::Instance')) {
    const volumeGb = (instance.Properties?.BlockDeviceMappings ?? []).reduce((sum: number, mapping: { Ebs?: { VolumeSize?: number } }) => sum + (mapping.Ebs?.VolumeSize ?? 0), 0);
    const type = String(instance.Properties?.InstanceType);
    if (type !== 't4g.nano') throw new Error(`idle month: no price for instance type ${type} (bench/prices.ts)`);
    lines.push({ item: `NAT instance ${type}, always on, with its ${volumeGb} GB gp3 root volume`, quantity: `${HOURS_PER_MONTH} h`, usd: ec2.t4gNanoPerHour * HOURS_PER_MONTH + volumeGb * ec2.gp3PerGbMonth });
  }

  const secrets = secretNames(template);
  lines.push({ item: `Secrets Manager, ${secrets.length} secrets (${secrets.join(', ')})`, quantity: String(secrets.length), usd: secrets.length * secretsManager.perSecretMonth });
  const { alarms, metrics } = alarmMetrics(template);
  lines.push({ item: `CloudWatch alarms: ${alarms} (metric-math ones count each metric)`, quantity: `${metrics} alarm metrics`, usd: metrics * cloudwatch.alarmPerMetricMonth });
  const filters = ofType(template, 'AWS::Logs::MetricFilter').length;
  lines.push({ item: `CloudWatch custom metrics from the ${filters} log metric filters`, quantity: String(filters), usd: filters * cloudwatch.customMetricMonth });
  const dashboards = ofType(template, 'AWS::CloudWatch::Dashboard').length;
  if (dashboards > 0) lines.push({ item: 'CloudWatch dashboard (free if the account has ≤ 3)', quantity: String(dashboards), usd: dashboards * cloudwatch.dashboardMonth });
  const keys = ofType(template, 'AWS::KMS::Key');
  const keyNames = keys.map((key) => String(key.Properties?.Description ?? 'a key')).join('; ');
  lines.push({ item: `KMS keys: ${keyNames} (+$1 per yearly rotation, first two)`, quantity: String(keys.length), usd: keys.length * kms.perKeyMonth });

  const minutes = HOURS_PER_MONTH * 60;
  const sweeps = everyMinuteRules(template) * minutes;
  if (sweeps > 0) {
    const usd =
      (sweeps / 1e6) * lambda.perMillionRequests +
      sweeps * 0.1 * lambda.memoryGb * lambda.perGbSecondArm +
      ((sweeps * 8 * 0.5) / 1e6) * dynamodb.perMillionReadRequestUnits +
      ((sweeps * LOG_BYTES_PER_INVOCATION) / 1024 ** 3) * cloudwatch.logsIngestPerGb;
    lines.push({ item: 'Invoice expiry every minute: Lambda, 8 gsi2 queries, logs', quantity: `${sweeps.toLocaleString('en-US')} runs`, usd });
  }
  const queues = sqsEventSources(template);
  const polls = (BRIDGE_QUEUES + LAMBDA_POLLERS_PER_QUEUE * queues) * POLLS_PER_MINUTE * minutes;
  lines.push({ item: `SQS long polls while idle (the bridge on ${BRIDGE_QUEUES} queues, Lambda's pollers on ${queues})`, quantity: `${polls.toLocaleString('en-US')} requests`, usd: (polls / 1e6) * sqs.perMillionRequests });
  lines.push({ item: 'ECR image (~150 MB), logs and PITR storage of a small table', quantity: '', usd: 0.15 * ecr.storagePerGbMonth + 0.2 });
  lines.push({ item: 'DynamoDB on demand, API Gateway, EventBridge at rest', quantity: '', usd: 0 });
  return lines;
}
