import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ServiceFunction } from './service-function';
import { grantTableAccess, type TableAccess } from './table-access';
import type { Network } from './network';
import type { NodeCredentials } from './node-credentials';

/** One route as the stack needs it: where its handler is and what it may touch. */
export interface ApiRouteSpec {
  /** `POST /v1/invoices` */
  readonly routeKey: string;
  /** The handler file, relative to the repository root. */
  readonly entry: string;
  /** `read` routes get read-only table access. */
  readonly access: 'read' | 'write';
  /** Routes that create, look up or cancel invoices on the node (invoice macaroon only). */
  readonly usesNode: boolean;
  /** The route's table access: only the keys and actions its code uses. */
  readonly tableAccess: TableAccess;
}

export interface HttpApiProps {
  readonly table: dynamodb.TableV2;
  readonly routes: readonly ApiRouteSpec[];
  /** The node the `usesNode` routes talk to. */
  readonly lightningNode: NodeCredentials;
  /** Base URL for checkout links. @default the API's own URL */
  readonly publicBaseUrl?: string;
  /** Steady-state requests per second for the whole API. @default 50 */
  readonly rateLimitPerSec?: number;
  /** @default 100 */
  readonly burstLimit?: number;
  /** Where the `usesNode` functions run: in its VPC behind the fixed egress, unless it says public. @default outside any VPC */
  readonly nodeNetwork?: Network;
  /** Extra environment for every route function (webhook settings, ...). */
  readonly environment?: Record<string, string>;
}

/**
 * The merchant API: an HTTP API with one function per route, each granted only what its
 * route needs, throttled at the stage, with JSON access logs.
 */
export class HttpApi extends Construct {
  public readonly api: apigwv2.HttpApi;
  public readonly accessLogs: logs.LogGroup;
  public readonly functions: ReadonlyMap<string, ServiceFunction>;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    this.api = new apigwv2.HttpApi(this, 'Api', { createDefaultStage: false });
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimitPerSec ?? 50, burstLimit: props.burstLimit ?? 100 },
    });
    const cfnStage = stage.node.defaultChild as apigwv2.CfnStage;
    cfnStage.accessLogSettings = {
      destinationArn: this.accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        routeKey: '$context.routeKey',
        status: '$context.status',
        latencyMs: '$context.responseLatency',
        integrationError: '$context.integrationErrorMessage',
      }),
    };

    const baseUrl = props.publicBaseUrl ?? this.api.apiEndpoint;
    const functions = new Map<string, ServiceFunction>();
    for (const route of props.routes) {
      const [method, path] = route.routeKey.split(' ') as [string, string];
      const name = route.routeKey.replace(/[^A-Za-z0-9]+/g, ' ').trim().split(' ').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
      const fn = new ServiceFunction(this, name, {
        entry: route.entry,
        ...(route.usesNode && props.nodeNetwork?.lambdaPlacement() ? { placement: props.nodeNetwork.lambdaPlacement() } : {}),
        environment: {
          TABLE_NAME: props.table.tableName,
          PUBLIC_BASE_URL: baseUrl,
          ...props.lightningNode.apiEnvironment,
          ...props.environment,
        },
      });
      grantTableAccess(props.table, fn.function, route.tableAccess);
      if (route.usesNode) props.lightningNode.grantApiRead(fn.function);
      this.api.addRoutes({
        path,
        methods: [method as apigwv2.HttpMethod],
        integration: new HttpLambdaIntegration(`${name}Integration`, fn.function, {
          payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
          timeout: Duration.seconds(29),
        }),
      });
      functions.set(route.routeKey, fn);
    }
    this.functions = functions;
    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
  }
}
