import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SECRETS_KEY_ENV } from '../../infra/constructs/webhooks';
import type { LightningPaymentsStack } from '../../infra/stack';
import { secretSealerFromEnv } from '../../functions/lib/webhooks/kms-sealer';
import { synthesizedStack } from './support/synth';

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };

/** The KMS key that seals webhook signing secrets, and who may use it. */
describe('the webhook secrets key', () => {
  let template: Template;
  let stack: LightningPaymentsStack;

  beforeAll(async () => {
    ({ stack, template } = await synthesizedStack());
  }, 120_000);

  const keyId = () => stack.getLogicalId(stack.webhooks.secretsKey.node.defaultChild as never);
  const functionId = (fn: { node: { defaultChild?: unknown } }) => stack.getLogicalId(fn.node.defaultChild as never);
  const createRoute = () => stack.api.functions.get('POST /v1/webhook-endpoints')!.function;

  it('is one customer-managed key with yearly rotation, kept when the stack goes', () => {
    const keys = template.findResources('AWS::KMS::Key') as Record<string, Resource>;
    const key = keys[keyId()]!;
    expect(key.Properties).toMatchObject({ EnableKeyRotation: true });
    expect(key.DeletionPolicy).toBe('Retain');
    template.hasOutput('WebhookSecretsKeyArn', { Value: { 'Fn::GetAtt': [keyId(), 'Arn'] } });
  });

  it('may be used by the create-endpoint route (GenerateDataKey, Decrypt) and by delivery (Decrypt) only', () => {
    const roleOf = (fn: { role?: { node: { defaultChild?: unknown } } }) => stack.getLogicalId(fn.role!.node.defaultChild as never);
    const expected = new Map<string, string[]>([
      [roleOf(createRoute()), ['kms:Decrypt', 'kms:GenerateDataKey']],
      [roleOf(stack.webhooks.delivery.function), ['kms:Decrypt']],
    ]);
    const granted = new Map<string, string[]>();
    const keyArn = { 'Fn::GetAtt': [keyId(), 'Arn'] };
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy')) as Resource[]) {
      for (const statement of policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>) {
        const actions = [statement.Action].flat();
        const onKey = JSON.stringify(statement.Resource) === JSON.stringify(keyArn);
        const kmsActions = actions.filter((action) => action.startsWith('kms:'));
        if (!onKey && kmsActions.length === 0) continue;
        // Any KMS grant, on this key or another, must be one of ours.
        expect(onKey, JSON.stringify(statement)).toBe(true);
        for (const role of policy.Properties.Roles as Array<{ Ref: string }>) granted.set(role.Ref, [...(granted.get(role.Ref) ?? []), ...kmsActions].sort());
      }
    }
    expect(granted).toEqual(expected);
  });

  it('is named in the environment of exactly those two functions, and the code accepts it', () => {
    const functions = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
    const withKey = Object.entries(functions).filter(([, fn]) => fn.Properties.Environment?.Variables?.[SECRETS_KEY_ENV] !== undefined);
    expect(withKey.map(([id]) => id).sort()).toEqual([functionId(createRoute()), functionId(stack.webhooks.delivery.function)].sort());
    for (const [, fn] of withKey) expect(fn.Properties.Environment.Variables[SECRETS_KEY_ENV]).toEqual({ 'Fn::GetAtt': [keyId(), 'Arn'] });
    expect(() => secretSealerFromEnv({ [SECRETS_KEY_ENV]: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' })).not.toThrow();
  });
});
