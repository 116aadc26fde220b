import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { discoverApiRoutes } from '../../infra/api-routes';
import { parseStackConfig } from '../../infra/config';
import { HttpApi, type ApiRouteSpec } from '../../infra/constructs/http-api';
import { LedgerTable } from '../../infra/constructs/ledger-table';
import { Network } from '../../infra/constructs/network';
import { NodeBridgeService } from '../../infra/constructs/node-bridge-service';
import { nodeCredentials } from '../../infra/constructs/node-credentials';
import { NO_BUNDLING, testApp } from './support/synth';

/**
 * The network with the two things that use it, in a stack of their own: the API (every real
 * route) and the bridge. The full stack's synth is covered by stack.test.ts and cdk-synth.test.ts.
 */
async function synth(context: Record<string, unknown>) {
  const app = testApp({ context: NO_BUNDLING });
  const config = parseStackConfig({ network: 'regtest', lndGrpcHost: 'lnd.internal:10009', ...context });
  const routes = await discoverApiRoutes();
  const stack = new Stack(app, 'Test');
  const { table } = new LedgerTable(stack, 'Ledger');
  const lightningNode = nodeCredentials(stack, config);
  const network = new Network(stack, 'Network', { nodeEgress: config.nodeEgress });
  const api = new HttpApi(stack, 'Api', { table, routes, lightningNode, nodeNetwork: network });
  new NodeBridgeService(stack, 'Bridge', {
    table,
    bus: new events.EventBus(stack, 'Bus'),
    payoutQueue: new sqs.Queue(stack, 'Payouts'),
    cancelQueue: new sqs.Queue(stack, 'Cancels'),
    lightningNode,
    nodeNetwork: network,
    minOutboundLiquidityMsat: config.minOutboundLiquidityMsat,
    minInboundLiquidityMsat: config.minInboundLiquidityMsat,
  });
  const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, any> }>; Outputs?: Record<string, unknown> };
  const functionOf = (route: ApiRouteSpec) => template.Resources[stack.getLogicalId(api.functions.get(route.routeKey)!.function.node.defaultChild as CfnFunction)]!;
  return { template, routes, functionOf };
}

describe('the network that reaches LND', () => {
  describe('by default: one fixed egress address', () => {
    let built: Awaited<ReturnType<typeof synth>>;
    beforeAll(async () => {
      built = await synth({});
    }, 120_000);

    it('runs the node-facing API functions in the VPC\'s private subnets, and the others outside any VPC', () => {
      const nodeFacing = built.routes.filter((route) => route.usesNode);
      expect(nodeFacing.length).toBeGreaterThan(0);
      for (const route of built.routes) {
        const vpcConfig = built.functionOf(route).Properties.VpcConfig;
        if (route.usesNode) expect(vpcConfig, route.routeKey).toMatchObject({ SubnetIds: expect.any(Array), SecurityGroupIds: expect.any(Array) });
        else expect(vpcConfig, route.routeKey).toBeUndefined();
      }
    });

    it('leaves through one t4g.nano NAT instance with an Elastic IP, output for the node operator; DynamoDB through a gateway endpoint; no NAT gateway', () => {
      const template = Template.fromJSON(built.template);
      template.resourceCountIs('AWS::EC2::NatGateway', 0);
      template.resourceCountIs('AWS::EC2::Instance', 1);
      template.hasResourceProperties('AWS::EC2::Instance', { InstanceType: 't4g.nano', SourceDestCheck: false, BlockDeviceMappings: [Match.objectLike({ Ebs: Match.objectLike({ Encrypted: true }) })] });
      template.resourceCountIs('AWS::EC2::EIP', 1);
      template.hasResourceProperties('AWS::EC2::EIP', { InstanceId: Match.anyValue() });
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('dynamodb')])]) }) });
      const outputs = Object.entries(built.template.Outputs ?? {}).filter(([name]) => name.includes('NodeEgressAddress'));
      expect(outputs).toHaveLength(1);
      expect(outputs[0]![1]).toMatchObject({ Value: { 'Fn::GetAtt': [expect.stringContaining('EgressAddress'), 'PublicIp'] } });
    });

    it('runs the bridge in the private subnets without a public IP', () => {
      Template.fromJSON(built.template).hasResourceProperties('AWS::ECS::Service', {
        NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
      });
    });
  });

  describe("nodeEgress: 'public' (the opt-out)", () => {
    it('has no NAT, no egress address, no function in a VPC, and the bridge on a public IP', async () => {
      const built = await synth({ nodeEgress: 'public' });
      const template = Template.fromJSON(built.template);
      template.resourceCountIs('AWS::EC2::Instance', 0);
      template.resourceCountIs('AWS::EC2::EIP', 0);
      for (const route of built.routes) expect(built.functionOf(route).Properties.VpcConfig, route.routeKey).toBeUndefined();
      expect(Object.keys(built.template.Outputs ?? {}).filter((name) => name.includes('NodeEgressAddress'))).toEqual([]);
      template.hasResourceProperties('AWS::ECS::Service', { NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'ENABLED' }) } });
    }, 120_000);
  });
});
