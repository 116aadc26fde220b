import * as z from 'zod';
import { NODE_ID_PATTERN } from '../functions/lib/node/node-config';

const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'host:port');
const nodeId = z.string().regex(NODE_ID_PATTERN, '1 to 32 characters of a-z, 0-9 and -');
const secretName = z.string().min(1).optional();

/** One node of `lightningNodes`; a secret name left out is `lightning-payments/<id>/<what>`. */
const lndNodeContext = z.strictObject({
  id: nodeId,
  backend: z.literal('lnd'),
  grpcHost: hostPort,
  tlsCertSecretName: secretName,
  invoiceMacaroonSecretName: secretName,
  paymentMacaroonSecretName: secretName,
});
const clnNodeContext = z.strictObject({
  id: nodeId,
  backend: z.literal('cln'),
  grpcHost: hostPort,
  caCertSecretName: secretName,
  clientCertSecretName: secretName,
  clientKeySecretName: secretName,
});

/** `-c dashboard=true` arrives as text, cdk.json gives a boolean: both read as one. */
const booleanContext = z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean());

/** Context given on the command line (`-c lightningNodes='[...]'`) arrives as text; from cdk.json as JSON. */
const jsonText = (value: unknown) => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
};

const lightningNodesContext = z.preprocess(
  jsonText,
  z
    .array(z.discriminatedUnion('backend', [lndNodeContext, clnNodeContext]), 'a JSON list of nodes, e.g. [{"id":"lnd-a","backend":"lnd","grpcHost":"10.0.0.5:10009"}]')
    .min(1)
    .superRefine((nodes, context) => {
      const seen = new Set<string>();
      nodes.forEach((node, index) => {
        if (seen.has(node.id)) context.addIssue({ code: 'custom', path: [index, 'id'], message: `${node.id} is listed twice; ids must be unique` });
        seen.add(node.id);
      });
    }),
);

/**
 * Deployment settings, from CDK context (`cdk deploy -c stage=prod -c lndGrpcHost=...`)
 * or cdk.json. Checked when the app starts, naming the setting that is wrong.
 */
export const stackConfigSchema = z.object({
  /** `prod` keeps the table on stack deletion and turns on deletion protection. */
  stage: z.string().regex(/^[a-z][a-z0-9-]{0,20}$/, 'lower-case letters, digits and dashes').default('dev'),
  /** The Lightning network of the node: BOLT11 invoices for another network are refused. */
  network: z.enum(['mainnet', 'testnet', 'signet', 'regtest']).default('mainnet'),
  /** The node's implementation: LND (gRPC with macaroons) or Core Lightning (cln-grpc, mutual TLS). */
  lightningBackend: z.enum(['lnd', 'cln']).default('lnd'),
  /** host:port of LND's gRPC interface, reachable from the bridge and the API Lambdas. */
  lndGrpcHost: hostPort.default('lnd.example.com:10009'),
  /**
   * `fixed`: the bridge and the node-facing Lambdas reach LND from one Elastic IP (a NAT
   * instance; the stack outputs the address to allow). `public`: no NAT, the gRPC port must
   * then be open to all of AWS (for nodes that authenticate by certificate and macaroon only).
   */
  nodeEgress: z.enum(['fixed', 'public']).default('fixed'),
  /**
   * `fargate`: the bridge on Fargate arm64, always on. `fargate-spot`: on Fargate Spot, about
   * 70% cheaper; Spot runs x86_64 only, and AWS may stop the task with two minutes' notice
   * (a SIGTERM: the bridge drains and the next task carries on from its cursors and leases).
   */
  bridgeCapacity: z.enum(['fargate', 'fargate-spot']).default('fargate'),
  /** The CloudWatch dashboard ($3 a month beyond an account's first three); the alarms do not need it. */
  dashboard: booleanContext.default(false),
  /** Secrets Manager names (created by the operator before deploying, see docs/DEPLOY.md). */
  lndTlsCertSecretName: z.string().min(1).default('lightning-payments/lnd-tls-cert'),
  lndInvoiceMacaroonSecretName: z.string().min(1).default('lightning-payments/lnd-invoice-macaroon'),
  lndPaymentMacaroonSecretName: z.string().min(1).default('lightning-payments/lnd-payment-macaroon'),
  /** host:port of Core Lightning's cln-grpc (its `grpc-port`, 9736 by default), with lightningBackend cln. */
  clnGrpcHost: hostPort.default('cln.example.com:9736'),
  /** Secrets Manager names of the node's ca.pem, client.pem and client-key.pem (PEM), with lightningBackend cln. */
  clnCaCertSecretName: z.string().min(1).default('lightning-payments/cln-ca-cert'),
  clnClientCertSecretName: z.string().min(1).default('lightning-payments/cln-client-cert'),
  clnClientKeySecretName: z.string().min(1).default('lightning-payments/cln-client-key'),
  /**
   * Several nodes, each with its own secrets (docs/DEPLOY.md, step 2c): a JSON list of
   * {id, backend, grpcHost} and optionally the node's secret names. Replaces lightningBackend,
   * lndGrpcHost, clnGrpcHost and their secret names, which must then be unset.
   */
  lightningNodes: lightningNodesContext.optional(),
  /** Public base URL of the API (for checkout links); the API Gateway URL when unset. */
  publicBaseUrl: z.url().optional(),
  /** Alarm e-mails go here when set; otherwise subscribe to the SNS topic yourself. */
  alarmEmail: z.email().optional(),
  /** Channel liquidity below which the LiquidityLow alarm fires, in msat. */
  minOutboundLiquidityMsat: z.coerce.number().int().nonnegative().default(100_000_000),
  minInboundLiquidityMsat: z.coerce.number().int().nonnegative().default(100_000_000),
  /** Requests per second across the API (API Gateway stage throttling). */
  apiRateLimitPerSec: z.coerce.number().int().positive().default(50),
  apiBurstLimit: z.coerce.number().int().positive().default(100),
  /** Requests per second one merchant may make (the API's own limit, shared by its keys); `npm run admin -- rate-limit:set` overrides it per merchant. */
  merchantRateLimitPerSec: z.coerce.number().int().positive().default(25),
});
export type StackConfig = z.infer<typeof stackConfigSchema>;
export type LightningNodeContext = NonNullable<StackConfig['lightningNodes']>[number];

/** The single node's settings: with lightningNodes each node's go in its entry, so these would be ignored, and are refused. */
const SINGLE_NODE_CONTEXT = [
  'lightningBackend',
  'lndGrpcHost',
  'lndTlsCertSecretName',
  'lndInvoiceMacaroonSecretName',
  'lndPaymentMacaroonSecretName',
  'clnGrpcHost',
  'clnCaCertSecretName',
  'clnClientCertSecretName',
  'clnClientKeySecretName',
] as const;

export function parseStackConfig(context: Record<string, unknown>): StackConfig {
  if (context.lightningNodes !== undefined) {
    const single = SINGLE_NODE_CONTEXT.filter((key) => context[key] !== undefined);
    if (single.length > 0) throw new Error(`Bad CDK context: lightningNodes names the nodes, so ${single.join(', ')} must be unset (each node's settings go in its entry)`);
  }
  const result = stackConfigSchema.safeParse(context);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`Bad CDK context '${issue.path.join('.')}': ${issue.message}`);
  }
  return result.data;
}
