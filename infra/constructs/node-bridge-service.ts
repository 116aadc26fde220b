import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import path from 'node:path';
import type { Network } from './network';
import type { NodeCredentials } from './node-credentials';
import { REPO_ROOT } from './service-function';
import { grantTableAccess, IndexKey, LeadingKey } from './table-access';

export interface NodeBridgeServiceProps {
  readonly table: dynamodb.TableV2;
  readonly bus: events.IEventBus;
  readonly payoutQueue: sqs.IQueue;
  readonly cancelQueue: sqs.IQueue;
  /** The node it streams settlements from and pays with. */
  readonly lightningNode: NodeCredentials;
  /** The VPC and the egress the bridge reaches LND through (see network.ts). */
  readonly nodeNetwork: Network;
  readonly minOutboundLiquidityMsat: number;
  readonly minInboundLiquidityMsat: number;
  /** @default 256 (0.25 vCPU), the smallest Fargate size */
  readonly cpu?: number;
  /** @default 512 MiB */
  readonly memoryLimitMiB?: number;
  /** @default 'fargate' (arm64); 'fargate-spot' runs x86_64, the only architecture Spot offers */
  readonly capacity?: BridgeCapacity;
}

export type BridgeCapacity = 'fargate' | 'fargate-spot';

/**
 * The only process that talks to LND with the payment macaroon: one Fargate task (arm64,
 * the smallest size), restarted on failure, with no inbound rules. It runs in the network's
 * private subnets behind the one egress address (or, with `nodeEgress: 'public'`, in a
 * public subnet with a public IP).
 */
export class NodeBridgeService extends Construct {
  public readonly vpc: ec2.IVpc;
  public readonly cluster: ecs.Cluster;
  public readonly service: ecs.FargateService;
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: NodeBridgeServiceProps) {
    super(scope, id);
    this.vpc = props.nodeNetwork.vpc;
    const spot = props.capacity === 'fargate-spot';
    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc: this.vpc, containerInsightsV2: ecs.ContainerInsights.DISABLED, enableFargateCapacityProviders: spot });
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: props.cpu ?? 256,
      memoryLimitMiB: props.memoryLimitMiB ?? 512,
      runtimePlatform: { cpuArchitecture: spot ? ecs.CpuArchitecture.X86_64 : ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    this.taskDefinition.addContainer('Bridge', {
      image: ecs.ContainerImage.fromAsset(REPO_ROOT, {
        file: path.join('node-bridge', 'Dockerfile'),
        // The task's architecture, whatever machine runs `cdk deploy`.
        platform: spot ? Platform.LINUX_AMD64 : Platform.LINUX_ARM64,
        exclude: ['node_modules', 'cdk.out', '.data', '.git', 'test-results', 'docs'],
      }),
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'bridge' }),
      environment: {
        TABLE_NAME: props.table.tableName,
        EVENT_BUS_NAME: props.bus.eventBusName,
        PAYOUT_QUEUE_URL: props.payoutQueue.queueUrl,
        INVOICE_CANCEL_QUEUE_URL: props.cancelQueue.queueUrl,
        QUEUE_BACKEND: 'sqs',
        BUS_BACKEND: 'eventbridge',
        ...props.lightningNode.bridgeEnvironment,
        LIQUIDITY_MIN_OUTBOUND_MSAT: String(props.minOutboundLiquidityMsat),
        LIQUIDITY_MIN_INBOUND_MSAT: String(props.minInboundLiquidityMsat),
      },
      // ECS fetches these at start with the execution role; they never sit in the task definition.
      secrets: props.lightningNode.bridgeSecrets,
      healthCheck: {
        command: ['CMD', 'node', '-e', "fetch('http://127.0.0.1:9090/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
      // Well inside Fargate Spot's two-minute notice too.
      stopTimeout: Duration.seconds(30),
    });

    const placement = props.nodeNetwork.bridgePlacement();
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: 1,
      // One bridge at a time, also during deployments: the old task stops before the new starts.
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      assignPublicIp: placement.assignPublicIp,
      vpcSubnets: placement.vpcSubnets,
      securityGroups: placement.securityGroups,
      circuitBreaker: { rollback: true },
      ...(spot ? { capacityProviderStrategies: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] } : {}),
    });

    const role = this.taskDefinition.taskRole;
    // With several nodes it also writes each node's status item and reads an invoice's node before cancelling it there.
    grantTableAccess(props.table, role, {
      items: [
        { actions: ['GetItem', 'UpdateItem'], keys: [LeadingKey.cursor, LeadingKey.withdrawal] },
        { actions: ['PutItem'], keys: [LeadingKey.nodeStatus] },
        { actions: ['GetItem'], keys: [LeadingKey.invoice] },
      ],
      indexQueries: [{ index: 'gsi2', keys: [IndexKey.openWithdrawals] }],
    });
    props.bus.grantPutEventsTo(role);
    props.payoutQueue.grantConsumeMessages(role);
    // A payment still in flight after PAYOUT_MAX_TRACK_SEC is re-queued as a fresh message
    // (SendMessage with a delay) and the old one deleted. Extending the visibility instead
    // would keep the same message, whose receive count grows with every look, so a long
    // hang would reach maxReceiveCount and the DLQ with its result never reported.
    props.payoutQueue.grantSendMessages(role);
    props.cancelQueue.grantConsumeMessages(role);
  }
}
