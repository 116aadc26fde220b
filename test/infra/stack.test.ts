import { readFileSync } from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LightningPaymentsStack } from '../../infra/stack';
import { readApiConfig } from '../../functions/lib/config';
import { readWebhookSettings } from '../../functions/lib/webhooks/config';
import { readBridgeConfig } from '../../node-bridge/src/config';
import { PROD_CONTEXT, synthesizedStack } from './support/synth';

/** What the deployed process would see: tokens (ARNs, URLs, names) stand in as plausible values. */
function deployedEnv(variables: Record<string, unknown>): Record<string, string> {
  const fill = (name: string) => (name.endsWith('_URL') ? 'https://sqs.us-east-1.amazonaws.com/123456789012/queue' : `dummy-${name.toLowerCase()}`);
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, typeof value === 'string' ? value : fill(name)]));
}

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

/** The roles whose policies mention a resource, by the logical ids CloudFormation gives them. */
function rolesMentioning(template: Template, resourceText: string): string[] {
  return Object.values(template.findResources('AWS::IAM::Policy') as Resources)
    .filter((policy) => JSON.stringify(policy.Properties.PolicyDocument).includes(resourceText))
    .flatMap((policy) => (policy.Properties.Roles as Array<{ Ref: string }>).map((role) => role.Ref));
}

function roleIdOf(stack: LightningPaymentsStack, fn: { function: { role?: unknown } }): string {
  return (stack.resolve((fn.function.role as { roleName: string }).roleName) as { Ref: string }).Ref;
}

describe('LightningPaymentsStack', () => {
  let template: Template;
  let stack: LightningPaymentsStack;

  beforeAll(async () => {
    // The production stack without esbuild: cdk-synth.test.ts bundles for real; cdk-nag runs in nag.test.ts.
    ({ stack, template } = await synthesizedStack());
  }, 120_000);

  const resourcesOf = (type: string): Resources => template.findResources(type) as Resources;

  it('keeps the table: PITR, stream with both images, TTL, encryption, retained with deletion protection in prod', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'ttl_sec', Enabled: true },
      SSESpecification: { SSEEnabled: true },
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true })],
    });
    template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('runs every function on Node 22, arm64', () => {
    const functions = Object.values(resourcesOf('AWS::Lambda::Function')).filter((fn) => !fn.Properties.Handler?.startsWith?.('framework'));
    expect(functions.length).toBeGreaterThan(10);
    for (const fn of functions) {
      if (fn.Properties.Runtime?.startsWith('nodejs') && fn.Properties.Handler === 'index.handler') {
        expect(fn.Properties.Runtime).toBe('nodejs22.x');
        expect(fn.Properties.Architectures).toEqual(['arm64']);
      }
    }
  });

  it('gives every work queue a dead-letter queue with a receive limit, all encrypted and TLS-only', () => {
    const queues = resourcesOf('AWS::SQS::Queue');
    const withRedrive = Object.values(queues).filter((queue) => queue.Properties.RedrivePolicy);
    expect(withRedrive.length).toBeGreaterThanOrEqual(3);
    for (const queue of withRedrive) expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBeGreaterThan(0);
    for (const queue of Object.values(queues)) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    expect(Object.keys(resourcesOf('AWS::SQS::QueuePolicy')).length).toBe(Object.keys(queues).length);
  });

  it('archives the bus and retries consumers into a dead-letter queue', () => {
    template.resourceCountIs('AWS::Events::Archive', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['lightning-payments.node'], 'detail-type': ['InvoiceSettled'] },
      Targets: [Match.objectLike({ RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 185 }), DeadLetterConfig: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: Match.anyValue() },
    });
  });

  it('runs one arm64 node-bridge task, with a health check and no NAT gateway', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '256',
      Memory: '512',
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: [Match.objectLike({ HealthCheck: Match.objectLike({ Command: Match.arrayWith(['CMD']) }) })],
    });
    template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 1, LaunchType: 'FARGATE' });
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
  });

  it('raises every alarm the operators need, to one topic', () => {
    const alarms = Object.values(resourcesOf('AWS::CloudWatch::Alarm'));
    const descriptions = alarms.map((alarm) => String(alarm.Properties.AlarmDescription));
    for (const runbook of ['bridgeheartbeatmissing', 'withdrawalinflighttoolong', 'settlementlag', 'api5xxrate', 'outboundliquiditylow', 'inboundliquiditylow']) {
      expect(descriptions.some((text) => text.includes(`#${runbook}`)), runbook).toBe(true);
    }
    expect(descriptions.filter((text) => text.includes('dead-letter queue')).length).toBeGreaterThanOrEqual(5);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toHaveLength(1);
    // Every alarm names a runbook entry that exists.
    const headings = readFileSync('docs/RUNBOOK.md', 'utf8').split('\n').filter((line) => line.startsWith('## ')).flatMap((line) => line.slice(3).split(', '));
    for (const text of descriptions) {
      const anchor = /docs\/RUNBOOK\.md#([a-z0-9]+)/.exec(text)?.[1];
      expect(anchor && headings.includes(anchor), `runbook entry for: ${text}`).toBe(true);
    }
    // The dashboard is opt-in (idle-options.test.ts): the alarms stand without it.
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });

  describe('least privilege', () => {
    const rolesGranted = (resourceText: string) => rolesMentioning(template, resourceText);
    const roleOf = (fn: { function: { role?: unknown } }) => roleIdOf(stack, fn);

    it('lets only the bridge read the payment macaroon, never an API function', () => {
      const readers = rolesGranted('lnd-payment-macaroon');
      expect(readers).toHaveLength(1);
      expect(readers[0]).toMatch(/^NodeBridgeTaskExecutionRole/);
    });

    it('gives the node-facing routes the invoice macaroon, the others no credentials, and read-only routes no writes', () => {
      const invoiceMacaroonReaders = rolesGranted('lnd-invoice-macaroon');
      for (const [routeKey, fn] of stack.api.functions) {
        const usesNode = routeKey === 'POST /v1/invoices' || routeKey === 'POST /v1/withdrawals';
        expect(invoiceMacaroonReaders.includes(roleOf(fn)), routeKey).toBe(usesNode);
        if (!routeKey.startsWith('GET ')) continue;
        // The one write a read-only route makes: its merchant's rate-limit counter.
        const statements = JSON.stringify(
          Object.values(resourcesOf('AWS::IAM::Policy'))
            .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleOf(fn)))
            .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Condition?: { 'ForAllValues:StringLike'?: Record<string, string[]> } }>)
            .filter((statement) => JSON.stringify(statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']) !== '["RATE_LIMIT#*"]'),
        );
        expect(statements, routeKey).not.toMatch(/dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)/);
      }
    });

    it('grants no "*" action on any data service', () => {
      for (const policy of Object.values(resourcesOf('AWS::IAM::Policy'))) {
        for (const statement of policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>) {
          const actions = ([] as string[]).concat(statement.Action);
          for (const action of actions) expect(action).not.toMatch(/^(\*|dynamodb:\*|sqs:\*|secretsmanager:\*|s3:\*|events:\*)$/);
        }
      }
    });
  });

  describe('configuration it hands to the code', () => {
    it("is what the node-bridge's own config accepts", () => {
      const [taskDefinition] = Object.values(resourcesOf('AWS::ECS::TaskDefinition'));
      const container = taskDefinition!.Properties.ContainerDefinitions[0] as {
        Environment: Array<{ Name: string; Value: unknown }>;
        Secrets: Array<{ Name: string }>;
      };
      const env = deployedEnv(Object.fromEntries(container.Environment.map((variable) => [variable.Name, variable.Value])));
      const secrets: Record<string, string> = {
        LND_TLS_CERT_PEM: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
        LND_MACAROON_HEX: '0201036c6e64',
      };
      for (const secret of container.Secrets) {
        expect(secrets[secret.Name], `a test value for the secret ${secret.Name}`).toBeDefined();
        env[secret.Name] = secrets[secret.Name]!;
      }
      expect(() => readBridgeConfig(env)).not.toThrow();
    });

    it('is what every API function and the webhook functions accept', () => {
      for (const [routeKey, fn] of stack.api.functions) {
        if (routeKey.startsWith('GET /checkout')) continue;
        const variables = (stack.resolve((fn.function.node.defaultChild as any).environment) as { variables: Record<string, unknown> }).variables;
        expect(() => readApiConfig(deployedEnv(variables)), routeKey).not.toThrow();
      }
      for (const fn of [stack.webhooks.fanout, stack.webhooks.delivery]) {
        const variables = (stack.resolve((fn.function.node.defaultChild as any).environment) as { variables: Record<string, unknown> }).variables;
        expect(() => readWebhookSettings(deployedEnv(variables))).not.toThrow();
      }
    });
  });
});

describe('LightningPaymentsStack on Core Lightning (lightningBackend cln)', () => {
  let template: Template;
  let stack: LightningPaymentsStack;

  beforeAll(async () => {
    ({ stack, template } = await synthesizedStack({ ...PROD_CONTEXT, lightningBackend: 'cln', clnGrpcHost: 'cln.internal:9736' }));
  }, 120_000);

  const bridgeContainer = () =>
    (Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0] as { Properties: { ContainerDefinitions: Array<{ Environment: Array<{ Name: string; Value: unknown }>; Secrets: Array<{ Name: string; ValueFrom: unknown }> }> } })
      .Properties.ContainerDefinitions[0]!;

  it("hands the bridge the node's address and its three certificate secrets, which its config accepts", () => {
    const container = bridgeContainer();
    const env = deployedEnv(Object.fromEntries(container.Environment.map((variable) => [variable.Name, variable.Value])));
    expect(env).toMatchObject({ LIGHTNING_BACKEND: 'cln', CLN_GRPC_HOST: 'cln.internal:9736' });
    expect(Object.keys(env).filter((name) => name.startsWith('LND_'))).toEqual([]);
    const pem = (label: string) => `-----BEGIN ${label}-----\nMIIB\n-----END ${label}-----\n`;
    const secrets: Record<string, string> = { CLN_CA_CERT_PEM: pem('CERTIFICATE'), CLN_CLIENT_CERT_PEM: pem('CERTIFICATE'), CLN_CLIENT_KEY_PEM: pem('PRIVATE KEY') };
    expect(container.Secrets.map((secret) => secret.Name).sort()).toEqual(Object.keys(secrets).sort());
    for (const secret of container.Secrets) env[secret.Name] = secrets[secret.Name]!;
    expect(() => readBridgeConfig(env)).not.toThrow();
  });

  it('lets only the bridge and the node-facing API functions read the certificates, and every API function accepts its environment', () => {
    for (const secret of ['cln-ca-cert', 'cln-client-cert', 'cln-client-key']) {
      const readers = rolesMentioning(template, secret);
      expect(readers.filter((role) => role.startsWith('NodeBridgeTaskExecutionRole')), secret).toHaveLength(1);
      for (const [routeKey, fn] of stack.api.functions) {
        expect(readers.includes(roleIdOf(stack, fn)), `${routeKey} reads ${secret}`).toBe(routeKey === 'POST /v1/invoices' || routeKey === 'POST /v1/withdrawals');
      }
    }
    expect(rolesMentioning(template, 'lnd-')).toEqual([]);
    for (const [routeKey, fn] of stack.api.functions) {
      if (routeKey.startsWith('GET /checkout')) continue;
      const variables = (stack.resolve((fn.function.node.defaultChild as any).environment) as { variables: Record<string, unknown> }).variables;
      expect(variables).toMatchObject({ LIGHTNING_BACKEND: 'cln', CLN_GRPC_HOST: 'cln.internal:9736' });
      expect(() => readApiConfig(deployedEnv(variables)), routeKey).not.toThrow();
    }
  });
});
