import type { KMSClient, KMSClientConfig } from '@aws-sdk/client-kms';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from 'zod';
import { ConfigError, parseEnv } from '../runtime/env';
import { envelopeSealer, localSecretSealer, SecretRefusedError, type DataKeyService, type SecretSealer } from './secret-sealer';

/**
 * KMS as the data key service: GenerateDataKey (AES_256) for each secret sealed, Decrypt to
 * open. Both carry the encryption context, so KMS itself refuses a data key presented with
 * another item's context; Decrypt names the key, so a blob from another key is refused too.
 */
export function kmsDataKeyService(client: KMSClient | (() => Promise<KMSClient>), keyId: string): DataKeyService {
  const kmsClient = typeof client === 'function' ? client : async () => client;
  return {
    async generateDataKey(context) {
      const { GenerateDataKeyCommand } = await kmsModule();
      const reply = await (await kmsClient()).send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: { ...context } }));
      if (!reply.Plaintext || !reply.CiphertextBlob) throw new Error('KMS GenerateDataKey answered without a key');
      return { plaintextKey: Buffer.from(reply.Plaintext), encryptedKey: Buffer.from(reply.CiphertextBlob) };
    },
    async decryptDataKey(encryptedKey, context) {
      const { DecryptCommand, InvalidCiphertextException } = await kmsModule();
      try {
        const reply = await (await kmsClient()).send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: encryptedKey, EncryptionContext: { ...context } }));
        if (!reply.Plaintext) throw new Error('KMS Decrypt answered without a key');
        return Buffer.from(reply.Plaintext);
      } catch (error) {
        // A wrong context or a damaged blob; anything else (throttling, network) is retried by the caller.
        if (error instanceof InvalidCiphertextException) throw new SecretRefusedError(undefined, { cause: error });
        throw error;
      }
    },
  };
}

/**
 * The KMS client is loaded on first use: most API functions never seal or open a secret, and
 * loading the client at cold start costs them about 40 ms (issue 19).
 */
let kmsModulePromise: Promise<typeof import('@aws-sdk/client-kms')> | undefined;
const kmsModule = () => (kmsModulePromise ??= import('@aws-sdk/client-kms'));

export function kmsSecretSealer(client: KMSClient | (() => Promise<KMSClient>), keyId: string): SecretSealer {
  return envelopeSealer(kmsDataKeyService(client, keyId));
}

/** The local master key: 32 random bytes in a file only its owner may read, made on first use. */
export function localMasterKeyFile(path: string): Buffer {
  mkdirSync(dirname(path), { recursive: true });
  try {
    // 'wx': two processes starting at once cannot both write a key.
    writeFileSync(path, randomBytes(32), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  chmodSync(path, 0o600);
  const key = readFileSync(path);
  if (key.length !== 32) throw new ConfigError(`WEBHOOK_SECRETS_KEY_FILE ${path} must hold exactly 32 bytes`);
  return key;
}

const envSchema = z.object({
  WEBHOOK_SECRETS_KMS_KEY_ARN: z.string().regex(/^arn:aws[a-z-]*:kms:/, 'WEBHOOK_SECRETS_KMS_KEY_ARN must be a KMS key ARN').optional(),
  WEBHOOK_SECRETS_KEY_FILE: z.string().min(1).optional(),
  AWS_REGION: z.string().min(1).optional(),
});

/**
 * The sealer of this deployment: KMS in AWS (WEBHOOK_SECRETS_KMS_KEY_ARN, set only on the
 * functions granted the key), the key file locally (WEBHOOK_SECRETS_KEY_FILE). With neither,
 * a sealer that refuses every call: functions that never see secrets need no key.
 */
export function secretSealerFromEnv(env: NodeJS.ProcessEnv = process.env, kmsConfig: KMSClientConfig = {}): SecretSealer {
  const { WEBHOOK_SECRETS_KMS_KEY_ARN: keyArn, WEBHOOK_SECRETS_KEY_FILE: keyFile, AWS_REGION: region } = parseEnv(envSchema, env);
  if (keyArn && keyFile) throw new ConfigError('Invalid configuration: set WEBHOOK_SECRETS_KMS_KEY_ARN or WEBHOOK_SECRETS_KEY_FILE, not both');
  if (keyArn) {
    let client: KMSClient | undefined;
    const kms = async () => (client ??= new (await kmsModule()).KMSClient({ ...(region ? { region } : {}), ...kmsConfig }));
    return kmsSecretSealer(kms, keyArn);
  }
  if (keyFile) return localSecretSealer(localMasterKeyFile(keyFile));
  const missing = async (): Promise<never> => {
    throw new ConfigError('no key for webhook secrets: set WEBHOOK_SECRETS_KMS_KEY_ARN (AWS) or WEBHOOK_SECRETS_KEY_FILE (local)');
  };
  return { seal: missing, open: missing };
}

/** For a function that must seal or open: fails at cold start rather than on the first request. */
export function requireSecretKeyConfigured(env: NodeJS.ProcessEnv = process.env): void {
  if (!env.WEBHOOK_SECRETS_KMS_KEY_ARN && !env.WEBHOOK_SECRETS_KEY_FILE) {
    throw new ConfigError('Invalid configuration: WEBHOOK_SECRETS_KMS_KEY_ARN must name the webhook secrets key');
  }
}
