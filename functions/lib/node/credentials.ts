import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Credential } from '../config';

/** The credential's bytes: as given, or the secret's current value. */
export async function resolveCredential(credential: Credential, secrets: () => SecretsManagerClient): Promise<Buffer> {
  if (credential.kind === 'value') return credential.value;
  const { SecretString } = await secrets().send(new GetSecretValueCommand({ SecretId: credential.secretId }));
  if (!SecretString) throw new Error(`secret ${credential.secretId} has no string value`);
  return Buffer.from(SecretString.trim(), credential.encoding);
}

export function secretsManagerClient(region: string | undefined): SecretsManagerClient {
  return new SecretsManagerClient(region ? { region } : {});
}
