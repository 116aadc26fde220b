import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { StackConfig } from './config';
import type { ApiRouteSpec } from './constructs/http-api';
import { HttpApi } from './constructs/http-api';
import { LedgerTable } from './constructs/ledger-table';
import { Monitoring } from './constructs/monitoring';
import { Network } from './constructs/network';
import { NodeBridgeService } from './constructs/node-bridge-service';
import { nodeCredentials, type NodeCredentials } from './constructs/node-credentials';
import { PaymentPipeline } from './constructs/payment-pipeline';
import { TableExports } from './constructs/table-exports';
import { Webhooks } from './constructs/webhooks';

export interface LightningPaymentsStackProps extends StackProps {
  readonly config: StackConfig;
  /** The API routes and their handler files (see api-routes.ts). */
  readonly apiRoutes: readonly ApiRouteSpec[];
}

/** The whole product in one stack: `cdk deploy` and it runs. */
export class LightningPaymentsStack extends Stack {
  public readonly ledger: LedgerTable;
  public readonly pipeline: PaymentPipeline;
  public readonly webhooks: Webhooks;
  public readonly api: HttpApi;
  public readonly network: Network;
  public readonly bridge: NodeBridgeService;
  public readonly monitoring: Monitoring;
  public readonly lightningNode: NodeCredentials;
  public readonly exports: TableExports;

  constructor(scope: Construct, id: string, props: LightningPaymentsStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.ledger = new LedgerTable(this, 'Ledger', { production: config.stage === 'prod' });
    const table = this.ledger.table;
    this.lightningNode = nodeCredentials(this, config);

    this.exports = new TableExports(this, 'Exports', {
      table,
      removalPolicy: config.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.pipeline = new PaymentPipeline(this, 'Pipeline', { table });
    this.webhooks = new Webhooks(this, 'Webhooks', { table });
    const fanoutQueue = this.pipeline.routeDomainEventsTo(this.webhooks.fanout.function);

    // One VPC for everything that talks to LND, and one egress address for the node to allow.
    this.network = new Network(this, 'Network', { nodeEgress: config.nodeEgress });
    this.api = new HttpApi(this, 'Api', {
      table,
      nodeNetwork: this.network,
      routes: props.apiRoutes,
      lightningNode: this.lightningNode,
      publicBaseUrl: config.publicBaseUrl,
      rateLimitPerSec: config.apiRateLimitPerSec,
      burstLimit: config.apiBurstLimit,
      environment: { WEBHOOK_QUEUE_URL: this.webhooks.deliveryQueue.queue.queueUrl, MERCHANT_RATE_LIMIT: String(config.merchantRateLimitPerSec) },
    });
    // Redelivery starts a new delivery series on the webhook queue.
    this.webhooks.deliveryQueue.queue.grantSendMessages(this.api.functions.get('POST /v1/events/{id}/redeliver')!.function);
    // Creating an endpoint seals its new secret (and the answer its idempotency record keeps).
    this.webhooks.grantSealSecrets(this.api.functions.get('POST /v1/webhook-endpoints')!.function);

    this.bridge = new NodeBridgeService(this, 'NodeBridge', {
      table,
      bus: this.pipeline.bus,
      payoutQueue: this.pipeline.payoutQueue.queue,
      cancelQueue: this.pipeline.cancelQueue.queue,
      lightningNode: this.lightningNode,
      nodeNetwork: this.network,
      minOutboundLiquidityMsat: config.minOutboundLiquidityMsat,
      minInboundLiquidityMsat: config.minInboundLiquidityMsat,
      capacity: config.bridgeCapacity,
    });

    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'ExportsBucket', { value: this.exports.bucket.bucketName });
    // For `npm run admin -- webhooks:seal-secrets` (WEBHOOK_SECRETS_KMS_KEY_ARN).
    new CfnOutput(this, 'WebhookSecretsKeyArn', { value: this.webhooks.secretsKey.keyArn });
    // For `npm run admin -- outbox:redrive` (OUTBOX_FAILURES_QUEUE_URL, PAYOUT_QUEUE_URL, INVOICE_CANCEL_QUEUE_URL, EVENT_BUS_NAME).
    new CfnOutput(this, 'OutboxFailuresQueueUrl', { value: this.pipeline.outboxFailures.queue.queueUrl });
    new CfnOutput(this, 'PayoutQueueUrl', { value: this.pipeline.payoutQueue.queue.queueUrl });
    new CfnOutput(this, 'InvoiceCancelQueueUrl', { value: this.pipeline.cancelQueue.queue.queueUrl });
    new CfnOutput(this, 'EventBusName', { value: this.pipeline.bus.eventBusName });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      deadLetterQueues: {
        Payout: this.pipeline.payoutQueue.deadLetterQueue,
        Cancel: this.pipeline.cancelQueue.deadLetterQueue,
        Outbox: this.pipeline.outboxFailures.queue,
        OutboxFailuresDlq: this.pipeline.outboxFailures.deadLetterQueue,
        SettleInvoice: this.pipeline.settleInvoiceQueue.deadLetterQueue,
        PayoutResult: this.pipeline.payoutResultQueue.deadLetterQueue,
        WebhookFanout: fanoutQueue.deadLetterQueue,
        RuleTarget: this.pipeline.ruleTargetFailures,
        InvoiceExpiry: this.webhooks.expiryFailures,
        WebhookDelivery: this.webhooks.deliveryQueue.deadLetterQueue,
      },
      consumers: {
        SettleInvoice: { function: this.pipeline.settleInvoice.function, queue: this.pipeline.settleInvoiceQueue.queue },
        PayoutResult: { function: this.pipeline.payoutResult.function, queue: this.pipeline.payoutResultQueue.queue },
        WebhookFanout: { function: this.webhooks.fanout.function, queue: fanoutQueue.queue },
        InvoiceExpiry: { function: this.webhooks.invoiceExpiry.function },
        Outbox: { function: this.pipeline.outbox.function },
      },
      streamConsumers: { Outbox: this.pipeline.outbox.function },
      bridgeLogs: this.bridge.logGroup,
      settleInvoiceLogs: this.pipeline.settleInvoice.logGroup,
      api: this.api.api,
      minOutboundLiquidityMsat: config.minOutboundLiquidityMsat,
      minInboundLiquidityMsat: config.minInboundLiquidityMsat,
      alarmEmail: config.alarmEmail,
      dashboard: config.dashboard,
    });
  }
}
