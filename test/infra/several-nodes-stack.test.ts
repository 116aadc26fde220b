import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { readApiConfig } from '../../functions/lib/config';
import { parseNodeList } from '../../functions/lib/node/node-config';
import { parseStackConfig } from '../../infra/config';
import type { LightningPaymentsStack } from '../../infra/stack';
import { readBridgeConfig } from '../../node-bridge/src/config';
import { synthesizedStack } from './support/synth';

const NODES = [
  { id: 'lnd-a', backend: 'lnd', grpcHost: 'lnd-a.internal:10009' },
  { id: 'cln-b', backend: 'cln', grpcHost: 'cln-b.internal:9736', clientKeySecretName: 'ops/cln-b/key' },
];
const CONTEXT = { stage: 'prod', network: 'regtest', lightningNodes: NODES };
const NODE_ROUTES = ['POST /v1/invoices', 'POST /v1/withdrawals'];

type Resources = Record<string, { Properties: Record<string, any> }>;
type Container = { Environment: Array<{ Name: string; Value: unknown }>; Secrets: Array<{ Name: string; ValueFrom: unknown }> };

/** A value as CloudFormation would resolve it in us-east-1 of account 123456789012. */
function plausible(value: unknown): string {
  if (typeof value === 'string') return value;
  const intrinsic = value as { Ref?: string; 'Fn::Join'?: [string, unknown[]] };
  if (intrinsic['Fn::Join']) return intrinsic['Fn::Join'][1].map(plausible).join(intrinsic['Fn::Join'][0]);
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '123456789012', 'AWS::URLSuffix': 'amazonaws.com' };
  if (intrinsic.Ref && pseudo[intrinsic.Ref]) return pseudo[intrinsic.Ref]!;
  return `dummy-${JSON.stringify(value).replace(/\W+/g, '-').slice(0, 40)}`;
}

describe('LightningPaymentsStack with several nodes (lightningNodes)', () => {
  let template: Template;
  let stack: LightningPaymentsStack;

  beforeAll(async () => {
    ({ stack, template } = await synthesizedStack(CONTEXT));
  }, 120_000);

  const bridgeContainer = () => (Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0] as { Properties: { ContainerDefinitions: Container[] } }).Properties.ContainerDefinitions[0]!;
  const environmentOf = (fn: { function: unknown }) =>
    (stack.resolve(((fn.function as { node: { defaultChild: unknown } }).node.defaultChild as { environment: unknown }).environment) as { variables: Record<string, unknown> }).variables;
  const roleOf = (fn: { function: { role?: unknown } }) => (stack.resolve((fn.function.role as { roleName: string }).roleName) as { Ref: string }).Ref;
  /** The roles whose policies name the secret. */
  const readersOf = (secretName: string) =>
    Object.values(template.findResources('AWS::IAM::Policy') as Resources)
      .filter((policy) => JSON.stringify(policy.Properties.PolicyDocument).includes(`secret:${secretName}-`))
      .flatMap((policy) => (policy.Properties.Roles as Array<{ Ref: string }>).map((role) => role.Ref));
  const bridgeReaders = (secretName: string) => readersOf(secretName).filter((role) => role.startsWith('NodeBridgeTaskExecutionRole'));
  const apiReaders = (secretName: string) => [...stack.api.functions].filter(([, fn]) => readersOf(secretName).includes(roleOf(fn))).map(([routeKey]) => routeKey);

  it("hands the bridge LIGHTNING_NODES naming one variable per credential, which ECS fills from that node's secret, and its config reads both nodes", () => {
    const container = bridgeContainer();
    const queueUrl = 'https://sqs.us-east-1.amazonaws.com/123456789012/queue';
    const env = Object.fromEntries(container.Environment.map((variable) => [variable.Name, variable.Name.endsWith('_URL') ? queueUrl : plausible(variable.Value)]));
    expect(Object.keys(env).filter((name) => /^(LND_|CLN_|LIGHTNING_BACKEND$)/.test(name))).toEqual([]);
    expect(JSON.parse(env.LIGHTNING_NODES!)).toEqual([
      { id: 'lnd-a', backend: 'lnd', grpc_host: 'lnd-a.internal:10009', tls_cert_pem_env: 'LIGHTNING_NODE_LND_A_TLS_CERT_PEM', macaroon_hex_env: 'LIGHTNING_NODE_LND_A_MACAROON_HEX' },
      {
        id: 'cln-b',
        backend: 'cln',
        grpc_host: 'cln-b.internal:9736',
        ca_cert_pem_env: 'LIGHTNING_NODE_CLN_B_CA_CERT_PEM',
        client_cert_pem_env: 'LIGHTNING_NODE_CLN_B_CLIENT_CERT_PEM',
        client_key_pem_env: 'LIGHTNING_NODE_CLN_B_CLIENT_KEY_PEM',
      },
    ]);
    const secretOf = Object.fromEntries(container.Secrets.map((secret) => [secret.Name, plausible(secret.ValueFrom)]));
    expect(secretOf).toEqual({
      LIGHTNING_NODE_LND_A_TLS_CERT_PEM: expect.stringContaining(':secret:lightning-payments/lnd-a/lnd-tls-cert'),
      LIGHTNING_NODE_LND_A_MACAROON_HEX: expect.stringContaining(':secret:lightning-payments/lnd-a/lnd-payment-macaroon'),
      LIGHTNING_NODE_CLN_B_CA_CERT_PEM: expect.stringContaining(':secret:lightning-payments/cln-b/cln-ca-cert'),
      LIGHTNING_NODE_CLN_B_CLIENT_CERT_PEM: expect.stringContaining(':secret:lightning-payments/cln-b/cln-client-cert'),
      LIGHTNING_NODE_CLN_B_CLIENT_KEY_PEM: expect.stringContaining(':secret:ops/cln-b/key'),
    });
    const pem = (label: string) => `-----BEGIN ${label}-----\nMIIB\n-----END ${label}-----\n`;
    for (const name of Object.keys(secretOf)) env[name] = name.endsWith('_MACAROON_HEX') ? '0201036c6e64' : pem(name.endsWith('_KEY_PEM') ? 'PRIVATE KEY' : 'CERTIFICATE');
    const config = readBridgeConfig(env);
    expect(config.nodes.map((node) => [node.id, node.connection.backend, node.connection.host])).toEqual([
      ['lnd-a', 'lnd', 'lnd-a.internal:10009'],
      ['cln-b', 'cln', 'cln-b.internal:9736'],
    ]);
  });

  it("gives the node-facing API functions LIGHTNING_NODES with each node's invoice-rights secrets by ARN, the others none", () => {
    for (const [routeKey, fn] of stack.api.functions) {
      const variables = environmentOf(fn);
      expect(Object.keys(variables).filter((name) => /^(LND_(?!NETWORK$)|CLN_|LIGHTNING_BACKEND$)/.test(name)), routeKey).toEqual([]);
      if (!NODE_ROUTES.includes(routeKey)) continue;
      const env = Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, name.endsWith('_URL') ? 'https://sqs.us-east-1.amazonaws.com/123456789012/queue' : plausible(value)]));
      expect(readApiConfig(env).nodes.map((node) => node.id), routeKey).toEqual(['lnd-a', 'cln-b']);
      const { nodes, problems } = parseNodeList(env, { role: 'invoices' });
      expect(problems, routeKey).toEqual([]);
      const secretIds = nodes!.map((node) => [node.id, Object.values(node.connection).flatMap((field) => (typeof field === 'object' && field.kind === 'secret' ? [field.secretId] : []))]);
      expect(secretIds, routeKey).toEqual([
        ['lnd-a', [expect.stringMatching(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:lightning-payments\/lnd-a\/lnd-tls-cert$/), expect.stringMatching(/:secret:lightning-payments\/lnd-a\/lnd-invoice-macaroon$/)]],
        ['cln-b', [expect.stringMatching(/cln-b\/cln-ca-cert$/), expect.stringMatching(/cln-b\/cln-client-cert$/), expect.stringMatching(/:secret:ops\/cln-b\/key$/)]],
      ]);
    }
  });

  it("lets only the bridge read LND's payment macaroon, and only the node-facing routes (and the bridge) the invoice-rights secrets", () => {
    expect(bridgeReaders('lightning-payments/lnd-a/lnd-payment-macaroon')).toHaveLength(1);
    expect(apiReaders('lightning-payments/lnd-a/lnd-payment-macaroon')).toEqual([]);
    expect(readersOf('lightning-payments/lnd-a/lnd-payment-macaroon')).toHaveLength(1);
    expect(apiReaders('lightning-payments/lnd-a/lnd-invoice-macaroon').sort()).toEqual(NODE_ROUTES);
    expect(bridgeReaders('lightning-payments/lnd-a/lnd-invoice-macaroon')).toEqual([]);
    for (const secret of ['lightning-payments/lnd-a/lnd-tls-cert', 'lightning-payments/cln-b/cln-ca-cert', 'lightning-payments/cln-b/cln-client-cert', 'ops/cln-b/key']) {
      expect(apiReaders(secret).sort(), secret).toEqual(NODE_ROUTES);
      expect(bridgeReaders(secret), secret).toHaveLength(1);
    }
    // Nothing of the single-node deployment is granted.
    for (const singleNode of ['lnd-tls-cert', 'lnd-invoice-macaroon', 'lnd-payment-macaroon', 'cln-ca-cert', 'cln-client-cert', 'cln-client-key']) {
      expect(readersOf(`lightning-payments/${singleNode}`), singleNode).toEqual([]);
    }
  });
});

describe('the lightningNodes context', () => {
  const base = { stage: 'prod', network: 'regtest' };

  it('is read from a JSON string, as `cdk deploy -c lightningNodes=...` gives it, and from a list, as cdk.json does', () => {
    expect(parseStackConfig({ ...base, lightningNodes: JSON.stringify(NODES) }).lightningNodes).toEqual(NODES);
    expect(parseStackConfig({ ...base, lightningNodes: NODES }).lightningNodes).toEqual(NODES);
    expect(parseStackConfig(base).lightningNodes).toBeUndefined();
  });

  it('refuses the single-node settings beside it, naming them', () => {
    expect(() => parseStackConfig({ ...base, lightningNodes: NODES, lndGrpcHost: 'lnd.internal:10009', lightningBackend: 'lnd' })).toThrow(
      "Bad CDK context: lightningNodes names the nodes, so lightningBackend, lndGrpcHost must be unset (each node's settings go in its entry)",
    );
  });

  it('refuses a bad entry by its path: an id twice, a bad address, an unknown field, an empty list, text that is no JSON', () => {
    expect(() => parseStackConfig({ ...base, lightningNodes: [NODES[0], { ...NODES[1], id: 'lnd-a' }] })).toThrow("Bad CDK context 'lightningNodes.1.id': lnd-a is listed twice; ids must be unique");
    expect(() => parseStackConfig({ ...base, lightningNodes: [{ ...NODES[0], grpcHost: 'lnd-a.internal' }] })).toThrow("Bad CDK context 'lightningNodes.0.grpcHost': host:port");
    expect(() => parseStackConfig({ ...base, lightningNodes: [{ ...NODES[0], macaroonSecretName: 'x' }] })).toThrow(/^Bad CDK context 'lightningNodes\.0'/);
    expect(() => parseStackConfig({ ...base, lightningNodes: [{ ...NODES[0], id: 'LND A' }] })).toThrow("Bad CDK context 'lightningNodes.0.id': 1 to 32 characters of a-z, 0-9 and -");
    expect(() => parseStackConfig({ ...base, lightningNodes: [] })).toThrow(/^Bad CDK context 'lightningNodes'/);
    expect(() => parseStackConfig({ ...base, lightningNodes: '[{"id":' })).toThrow(/^Bad CDK context 'lightningNodes': a JSON list of nodes/);
  });
});
