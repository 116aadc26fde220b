import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * A credential given directly (a file read at start-up, or the value in the environment)
 * or by a Secrets Manager secret, fetched when the node is first needed: only the routes
 * that talk to the node may read the secrets, the others never try.
 */
export type Credential =
  | { kind: 'value'; value: Buffer }
  /** SecretString: a PEM, or hex for a macaroon. */
  | { kind: 'secret'; secretId: string; encoding: 'utf8' | 'hex' };

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
