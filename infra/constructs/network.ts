import { CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

/**
 * How the processes that talk to LND (the bridge, the node-facing API Lambdas) reach it.
 * `fixed`: from private subnets through one NAT instance with an Elastic IP, so the node's
 * firewall allows one address. `public`: the bridge in a public subnet and the Lambdas
 * outside any VPC, for nodes that rely on their certificate and macaroons alone (the gRPC
 * port then has to be open to all of AWS).
 */
export const NodeEgress = { fixed: 'fixed', public: 'public' } as const;
export type NodeEgress = (typeof NodeEgress)[keyof typeof NodeEgress];

export interface NetworkProps {
  /** @default fixed */
  readonly nodeEgress?: NodeEgress;
}

/** Where a function or task that talks to the node runs. */
export interface NodePlacement {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  readonly securityGroups: ec2.ISecurityGroup[];
}

/**
 * The service's VPC: two AZs, REJECT flow logs, its default security group closed, no
 * automatic public addresses in the public subnets. With fixed egress, private subnets leave
 * through one t4g.nano NAT instance (about $3/month plus its Elastic IP, against about $33
 * for a NAT gateway) and reach DynamoDB through a gateway endpoint (free, and table traffic
 * stays off the NAT).
 */
export class Network extends Construct {
  public readonly vpc: ec2.Vpc;
  public readonly nodeEgress: NodeEgress;
  /** The address the node operator allows (fixed egress only). */
  public readonly egressAddress: string | undefined;
  private readonly nodeSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps = {}) {
    super(scope, id);
    this.nodeEgress = props.nodeEgress ?? NodeEgress.fixed;
    const fixed = this.nodeEgress === NodeEgress.fixed;
    const nat = fixed
      ? ec2.NatProvider.instanceV2({
          instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO),
          machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }),
          defaultAllowedTraffic: ec2.NatTrafficDirection.OUTBOUND_ONLY,
          // Its own public address at launch (its boot installs the NAT rules from the
          // package repositories), since the public subnets assign none; the Elastic IP
          // replaces it once attached.
          associatePublicIpAddress: true,
        })
      : undefined;
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: fixed ? 1 : 0,
      ...(nat ? { natGatewayProvider: nat } : {}),
      // Nothing uses the default security group: close it (a deploy-time custom resource
      // removes its rules), so whatever lands in it by mistake can neither send nor receive.
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        // No automatic public addresses: the NAT instance and (with public egress) the bridge task ask for their own.
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        ...(fixed ? [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 }] : []),
      ],
    });
    this.vpc.addFlowLog('FlowLogs', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(
        new logs.LogGroup(this, 'FlowLogGroup', { retention: logs.RetentionDays.ONE_WEEK, removalPolicy: RemovalPolicy.DESTROY }),
      ),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });
    this.nodeSecurityGroup = new ec2.SecurityGroup(this, 'NodeClients', {
      vpc: this.vpc,
      description: 'talks to LND: no inbound traffic; outbound to LND and AWS APIs',
      allowAllOutbound: true,
    });

    if (nat) {
      nat.connections.allowFrom(this.nodeSecurityGroup, ec2.Port.allTraffic(), 'the node clients leave through the NAT');
      for (const instance of nat.gatewayInstances) {
        // The provider takes no block devices: encrypt the root volume through the L1.
        const cfnInstance = instance.node.defaultChild as ec2.CfnInstance;
        cfnInstance.blockDeviceMappings = [{ deviceName: '/dev/xvda', ebs: { encrypted: true, volumeType: 'gp3', volumeSize: 8 } }];
        // IMDSv2 only (tokens required), set through a launch template; its boot (cloud-init
        // reading the user data) uses IMDSv2, as Amazon Linux 2023 does by default.
        const launchTemplate = new ec2.CfnLaunchTemplate(instance, 'MetadataOptions', {
          launchTemplateData: { metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 } },
        });
        cfnInstance.launchTemplate = { launchTemplateId: launchTemplate.ref, version: launchTemplate.attrLatestVersionNumber };
        NagSuppressions.addResourceSuppressions(instance, [
          { id: 'AwsSolutions-EC28', reason: 'detailed monitoring would cost about $2/month on a $3/month NAT instance; basic metrics suffice' },
          { id: 'HIPAA.Security-EC2InstanceDetailedMonitoringEnabled', reason: 'detailed monitoring would cost about $2/month on a $3/month NAT instance; basic (5-minute) metrics suffice' },
          { id: 'AwsSolutions-EC29', reason: 'the NAT instance is owned by CloudFormation and replaced by deployments; termination protection would block them' },
          ...['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].flatMap((pack) => [
            { id: `${pack}-EC2InstanceNoPublicIp`, reason: 'a NAT instance: a public address is what it is for (its Elastic IP is the one address the node allows); it takes no inbound traffic from outside the VPC' },
            { id: `${pack}-EC2InstancesInVPC`, reason: 'the NAT instance is in the VPC: it names its public subnet on its network interface (to get a public address at launch), which this rule does not read' },
          ]),
        ]);
      }
      this.vpc.addGatewayEndpoint('DynamoDb', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB });
      const address = new ec2.CfnEIP(this, 'EgressAddress', { domain: 'vpc', instanceId: nat.configuredGateways[0]!.gatewayId });
      this.egressAddress = address.attrPublicIp;
      new CfnOutput(this, 'NodeEgressAddress', {
        value: address.attrPublicIp,
        description: 'the one address the bridge and the node-facing Lambdas reach LND from: allow it on the node, deny the rest',
      });
    }
  }

  /** Where the bridge task runs: private behind the NAT, or public with its own IP. */
  bridgePlacement(): NodePlacement & { assignPublicIp: boolean } {
    return { ...this.placement(), assignPublicIp: this.nodeEgress === NodeEgress.public };
  }

  /** Where a node-facing Lambda runs; undefined (no VPC) with public egress. */
  lambdaPlacement(): NodePlacement | undefined {
    return this.nodeEgress === NodeEgress.fixed ? this.placement() : undefined;
  }

  private placement(): NodePlacement {
    const subnetType = this.nodeEgress === NodeEgress.fixed ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PUBLIC;
    return { vpc: this.vpc, vpcSubnets: { subnetType }, securityGroups: [this.nodeSecurityGroup] };
  }
}
