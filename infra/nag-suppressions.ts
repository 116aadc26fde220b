import { Aspects, CfnResource, Stack, type IAspect } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagSuppressions, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks, type NagPackSuppression } from 'cdk-nag';

/**
 * The cdk-nag packs the template is checked against (`cdk synth` and test/infra/nag.test.ts):
 * together they cover what cfn-lint's security rules and checkov's CKV_AWS_* checks look for.
 */
export function nagPacks(options: { verbose?: boolean } = {}): IAspect[] {
  return [
    new AwsSolutionsChecks(options),
    new NIST80053R5Checks(options),
    new HIPAASecurityChecks(options),
    new PCIDSS321Checks(options),
    new ServerlessChecks(options),
  ];
}

/** Applies every pack of {@link nagPacks} to a scope (the app, or one stack). */
export function applyNagPacks(scope: IConstruct, options: { verbose?: boolean } = {}): void {
  for (const pack of nagPacks(options)) Aspects.of(scope).add(pack);
}

/** The compliance packs prefix the same rule with their own names. */
const NIST = 'NIST.800.53.R5';
const HIPAA = 'HIPAA.Security';
const PCI = 'PCI.DSS.321';
const inPacks = (rule: string, packs: readonly string[]) => packs.map((pack) => `${pack}-${rule}`);

/** What a selector sees of the stack: its resources by logical id, and which of them something references. */
export interface StackIndex {
  readonly stack: Stack;
  readonly byId: ReadonlyMap<string, CfnResource>;
  logicalId(resource: CfnResource): string;
  /** Logical ids a (possibly token-valued) property refers to with Ref or Fn::GetAtt. */
  references(value: unknown): string[];
}

export interface StackNagSuppression {
  /** Rule ids as cdk-nag reports them (`AwsSolutions-…`, `NIST.800.53.R5-…`, `HIPAA.Security-…`, `PCI.DSS.321-…`, `Serverless-…`). */
  readonly ids: readonly string[];
  readonly reason: string;
  /** For rules that report findings per policy statement or managed policy. */
  readonly appliesTo?: NagPackSuppression['appliesTo'];
  /**
   * The resources it covers. Absent: the whole stack, for rules that apply the same way to
   * every resource they check (the reason says why).
   */
  readonly resources?: (resource: CfnResource, index: StackIndex) => boolean;
}

const cfnType = (resource: CfnResource, type: string) => resource.cfnResourceType === type;
const prop = (resource: CfnResource, name: string): unknown => (resource as unknown as Record<string, unknown>)[name];

/** Computes a set once per stack index. */
function memo(compute: (index: StackIndex) => Set<string>): (index: StackIndex) => Set<string> {
  const cache = new WeakMap<StackIndex, Set<string>>();
  return (index) => {
    if (!cache.has(index)) cache.set(index, compute(index));
    return cache.get(index)!;
  };
}

/** Queues that receive what failed elsewhere: a queue's redrive target, a rule target's DLQ, a mapping's or an async invoke's on-failure destination. */
const deadLetterQueueIds = memo((index) => {
  const ids = new Set<string>();
  const add = (value: unknown) => index.references(value).forEach((id) => ids.add(id));
  for (const resource of index.byId.values()) {
    if (cfnType(resource, 'AWS::SQS::Queue')) add(prop(resource, 'redrivePolicy'));
    if (cfnType(resource, 'AWS::Events::Rule')) {
      for (const target of (index.stack.resolve(prop(resource, 'targets')) as Array<{ deadLetterConfig?: unknown }> | undefined) ?? []) add(target.deadLetterConfig);
    }
    if (cfnType(resource, 'AWS::Lambda::EventSourceMapping') || cfnType(resource, 'AWS::Lambda::EventInvokeConfig')) {
      add((index.stack.resolve(prop(resource, 'destinationConfig')) as { onFailure?: unknown } | undefined)?.onFailure);
    }
  }
  return new Set([...ids].filter((id) => cfnType(index.byId.get(id)!, 'AWS::SQS::Queue')));
});

/** Functions something invokes asynchronously: bus or schedule rules, SNS, S3. */
const asyncInvokedFunctionIds = memo((index) => {
  const async = new Set(['events.amazonaws.com', 'sns.amazonaws.com', 's3.amazonaws.com', 'scheduler.amazonaws.com']);
  const ids = new Set<string>();
  for (const resource of index.byId.values()) {
    if (cfnType(resource, 'AWS::Lambda::Permission') && async.has(String(index.stack.resolve(prop(resource, 'principal'))))) {
      index.references(prop(resource, 'functionName')).forEach((id) => ids.add(id));
    }
  }
  return ids;
});

/** Functions whose asynchronous invokes end in an on-failure destination. */
const functionsWithFailureDestination = memo((index) => {
  const ids = new Set<string>();
  for (const resource of index.byId.values()) {
    if (!cfnType(resource, 'AWS::Lambda::EventInvokeConfig')) continue;
    const destination = index.stack.resolve(prop(resource, 'destinationConfig')) as { onFailure?: unknown } | undefined;
    if (destination?.onFailure) index.references(prop(resource, 'functionName')).forEach((id) => ids.add(id));
  }
  return ids;
});

/**
 * The cdk-nag findings this stack accepts, each with its reason. Anything not listed here
 * (or, for findings that depend on a construct's options, beside that construct:
 * infra/constructs/network.ts for the NAT instance, infra/constructs/table-exports.ts for
 * the exports bucket) fails the infra tests.
 */
export const NAG_SUPPRESSIONS: readonly StackNagSuppression[] = [
  // ---- IAM
  {
    ids: ['AwsSolutions-IAM4'],
    reason: 'Lambda functions use AWSLambdaBasicExecutionRole only, which grants writing their own logs; ECS uses the standard task execution policy.',
    appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
  },
  {
    ids: ['AwsSolutions-IAM4'],
    reason:
      'The node-facing functions run in the VPC behind the fixed egress; AWSLambdaVPCAccessExecutionRole only lets Lambda create and delete their network interfaces, which it needs to place them.',
    appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole'],
  },
  {
    ids: ['AwsSolutions-IAM5'],
    reason:
      'Wildcards come from CDK grants scoped to single resources: the table and its indexes (index/*), secrets by name (-?????? suffix), and X-Ray/log stream actions that take no resource.',
  },
  {
    ids: inPacks('IAMNoInlinePolicy', [NIST, HIPAA, PCI]),
    reason:
      'Every policy in the stack is the one CDK writes for a single role from its grants, attached to that role only; a managed policy would hold the same statements in a separate resource. test/infra/roles.test.ts checks that each role allows exactly what its code calls.',
  },
  // ---- Lambda
  {
    ids: ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion'],
    reason: 'Every function targets nodejs22.x on purpose (the supported LTS the product is tested against); runtime upgrades are a deliberate release.',
  },
  {
    ids: ['Serverless-LambdaTracing'],
    reason:
      'No function uses X-Ray: they log structured JSON with the request and event ids, which is how the runbook traces a payment. Active tracing on every function would add X-Ray write actions to every role, beyond what the code calls (roles.test.ts), and a charge per trace.',
  },
  {
    ids: inPacks('LambdaConcurrency', [NIST, HIPAA]),
    reason:
      'Reserved concurrency is carved out of the account pool, of which AWS keeps 100 unreserved (new accounts often have 10 in all), so a reservation per function would fail to deploy in many accounts. The functions are bounded otherwise, alike: the API by its stage throttling, each queue consumer by its event source maximum concurrency, the outbox by the stream shards; the expiry sweep reserves 1.',
  },
  {
    ids: [...inPacks('LambdaDLQ', [NIST, HIPAA]), 'Serverless-LambdaDLQ'],
    reason:
      'Never invoked asynchronously (API Gateway invokes it synchronously, or an event source mapping polls for it), so Lambda never uses a function dead-letter queue: a failure goes back to the caller, or to the queue redrive policy / the stream mapping on-failure destination.',
    resources: (resource, index) => cfnType(resource, 'AWS::Lambda::Function') && !asyncInvokedFunctionIds(index).has(index.logicalId(resource)),
  },
  {
    ids: [...inPacks('LambdaDLQ', [NIST, HIPAA]), 'Serverless-LambdaDLQ'],
    reason:
      'Invoked asynchronously (the expiry schedule), with an on-failure destination queue instead of a dead-letter queue: Lambda sends it the failed event together with the error, and the queue is alarmed.',
    resources: (resource, index) =>
      cfnType(resource, 'AWS::Lambda::Function') && asyncInvokedFunctionIds(index).has(index.logicalId(resource)) && functionsWithFailureDestination(index).has(index.logicalId(resource)),
  },
  {
    ids: inPacks('LambdaInsideVPC', [NIST, HIPAA, PCI]),
    reason:
      'Outside any VPC: it calls only AWS APIs (DynamoDB, SQS, EventBridge, KMS, Secrets Manager) over TLS with IAM auth; in the VPC each call would cross the NAT instance or need interface endpoints (about $7/month each per AZ). Only the functions that reach the node run in the VPC, and those too stay outside with nodeEgress public (infra/constructs/network.ts).',
    resources: (resource) => cfnType(resource, 'AWS::Lambda::Function') && prop(resource, 'vpcConfig') === undefined,
  },
  {
    ids: ['Serverless-LambdaEventSourceMappingDestination'],
    reason:
      'An SQS event source: Lambda takes no on-failure destination for SQS mappings; a record that keeps failing goes to the queue own dead-letter queue by its redrive policy (maxReceiveCount), alarmed.',
    resources: (resource, index) =>
      cfnType(resource, 'AWS::Lambda::EventSourceMapping') && index.references(prop(resource, 'eventSourceArn')).some((id) => cfnType(index.byId.get(id)!, 'AWS::SQS::Queue')),
  },
  // ---- SQS
  {
    ids: ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy'],
    reason: 'This queue is itself a dead-letter or failure queue (a redrive target, a rule target DLQ or an on-failure destination); its messages are kept 14 days and alarmed on.',
    resources: (resource, index) => cfnType(resource, 'AWS::SQS::Queue') && deadLetterQueueIds(index).has(index.logicalId(resource)),
  },
  // ---- CloudWatch Logs
  {
    ids: inPacks('CloudWatchLogGroupEncrypted', [NIST, HIPAA, PCI]),
    reason:
      'Every log group alike (function, access, flow and bridge logs): CloudWatch Logs encrypts them at rest with AWS-managed keys; a customer-managed key costs $1/month each (or one shared key at $1/month plus a key policy for the Logs service), against an idle budget of $10.',
  },
  // ---- API Gateway, ECS
  {
    ids: ['AwsSolutions-APIG4'],
    reason: 'The API authenticates every merchant request itself with hashed API keys (Bearer sk_/ik_); public routes are public by design.',
  },
  {
    ids: ['AwsSolutions-ECS2'],
    reason: 'Only non-secret settings (table, queue and bus names, thresholds) are plain environment variables; LND credentials come from Secrets Manager.',
  },
  {
    ids: ['AwsSolutions-ECS4'],
    reason: 'Container Insights costs more than the bridge task itself; the bridge reports its own metrics (heartbeat, in-flight age, liquidity) through its logs.',
  },
  // ---- VPC
  {
    ids: inPacks('EC2RestrictedCommonPorts', [NIST, HIPAA, PCI]),
    reason:
      'Ingress from another security group only, never from an address range: the NAT instance takes all traffic of the node clients (the bridge, the node-facing functions) to forward it; the rule flags any all-protocol rule whatever its source.',
    resources: (resource, index) =>
      cfnType(resource, 'AWS::EC2::SecurityGroupIngress') &&
      prop(resource, 'sourceSecurityGroupId') !== undefined &&
      prop(resource, 'cidrIp') === undefined &&
      prop(resource, 'cidrIpv6') === undefined &&
      index.references(prop(resource, 'sourceSecurityGroupId')).length > 0,
  },
  {
    ids: inPacks('VPCNoUnrestrictedRouteToIGW', [NIST, HIPAA, PCI]),
    reason:
      'The public subnets route to the internet gateway to give their only residents egress: the NAT instance (fixed egress) or the bridge task (nodeEgress public). Neither takes inbound traffic from outside; everything else runs in private subnets or outside the VPC.',
    resources: (resource, index) =>
      cfnType(resource, 'AWS::EC2::Route') && index.references(prop(resource, 'gatewayId')).some((id) => cfnType(index.byId.get(id)!, 'AWS::EC2::InternetGateway')),
  },
];

function indexStack(stack: Stack): StackIndex {
  const byId = new Map<string, CfnResource>();
  for (const node of stack.node.findAll()) if (node instanceof CfnResource && Stack.of(node) === stack) byId.set(stack.resolve(node.logicalId) as string, node);
  const references = (value: unknown): string[] => {
    const found: string[] = [];
    const walk = (item: unknown): void => {
      if (Array.isArray(item)) return item.forEach(walk);
      if (item === null || typeof item !== 'object') return;
      const record = item as Record<string, unknown>;
      if (typeof record.Ref === 'string' && byId.has(record.Ref)) found.push(record.Ref);
      const getAtt = record['Fn::GetAtt'];
      if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && byId.has(getAtt[0])) found.push(getAtt[0]);
      Object.values(record).forEach(walk);
    };
    walk(stack.resolve(value));
    return found;
  };
  return { stack, byId, logicalId: (resource) => stack.resolve(resource.logicalId) as string, references };
}

/**
 * Attaches {@link NAG_SUPPRESSIONS} (or the given list) to the stack and answers, for each
 * entry, the paths of the resources it was attached to (`['*']` for a stack-wide one).
 */
export function applyNagSuppressions(stack: Stack, suppressions: readonly StackNagSuppression[] = NAG_SUPPRESSIONS): Map<StackNagSuppression, string[]> {
  const index = indexStack(stack);
  const applied = new Map<StackNagSuppression, string[]>();
  for (const suppression of suppressions) {
    const entries: NagPackSuppression[] = suppression.ids.map((id) => ({ id, reason: suppression.reason, ...(suppression.appliesTo ? { appliesTo: suppression.appliesTo } : {}) }));
    if (!suppression.resources) {
      NagSuppressions.addStackSuppressions(stack, entries);
      applied.set(suppression, ['*']);
      continue;
    }
    const targets = [...index.byId.values()].filter((resource) => suppression.resources!(resource, index));
    for (const resource of targets) NagSuppressions.addResourceSuppressions(resource, entries);
    applied.set(suppression, targets.map((resource) => resource.node.path));
  }
  return applied;
}
